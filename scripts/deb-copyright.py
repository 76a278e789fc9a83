#!/usr/bin/env python3
"""Writes the Debian copyright file of the kyso package (`make deb`) to stdout.

kyso's own licence, then every crate compiled into /usr/bin/kyso and libkyso_pkcs11.so (the
normal dependencies of the two packages, as `cargo metadata` resolves them: no dev or build
dependencies) with its version and the licence expression it declares, then the text of each
licence named (Apache-2.0 by reference to /usr/share/common-licenses, as Debian wants).

    python3 scripts/deb-copyright.py > target/deb-assets/copyright
"""
import json
import os
import re
import subprocess
import sys

ROOTS = ("kyso", "kyso-pkcs11")

TEXTS = {
    "MIT": """Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in the Software
without restriction, including without limitation the rights to use, copy, modify, merge,
publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to
whom the Software is furnished to do so, subject to the following conditions:
.
The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.
.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.""",
    "ISC": """Permission to use, copy, modify, and/or distribute this software for any purpose
with or without fee is hereby granted, provided that the above copyright notice and this
permission notice appear in all copies.
.
THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE
AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT,
NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE
OF THIS SOFTWARE.""",
    "0BSD": """Permission to use, copy, modify, and/or distribute this software for any purpose
with or without fee is hereby granted.
.
THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD TO THIS
SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE
AUTHOR BE LIABLE FOR ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN ACTION OF CONTRACT,
NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE
OF THIS SOFTWARE.""",
    "BSD-2-Clause": """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
.
1. Redistributions of source code must retain the above copyright notice, this list of
   conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice, this list of
   conditions and the following disclaimer in the documentation and/or other materials
   provided with the distribution.
.
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR
IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR
CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR
OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
POSSIBILITY OF SUCH DAMAGE.""",
    "BSD-3-Clause": """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
.
1. Redistributions of source code must retain the above copyright notice, this list of
   conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice, this list of
   conditions and the following disclaimer in the documentation and/or other materials
   provided with the distribution.
3. Neither the name of the copyright holder nor the names of its contributors may be used to
   endorse or promote products derived from this software without specific prior written
   permission.
.
THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR
IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND
FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR
CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR
CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY
THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR
OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE
POSSIBILITY OF SUCH DAMAGE.""",
    "Zlib": """This software is provided 'as-is', without any express or implied warranty. In no
event will the authors be held liable for any damages arising from the use of this software.
.
Permission is granted to anyone to use this software for any purpose, including commercial
applications, and to alter it and redistribute it freely, subject to the following
restrictions:
.
1. The origin of this software must not be misrepresented; you must not claim that you wrote
   the original software. If you use this software in a product, an acknowledgment in the
   product documentation would be appreciated but is not required.
2. Altered source versions must be plainly marked as such, and must not be misrepresented as
   being the original software.
3. This notice may not be removed or altered from any source distribution.""",
    "Apache-2.0": """On Debian systems, the full text of the Apache License, Version 2.0 can be
found in /usr/share/common-licenses/Apache-2.0.""",
    "GPL-2.0-only": """On Debian systems, the full text of the GNU General Public License version 2
can be found in /usr/share/common-licenses/GPL-2.""",
    "LLVM-exception": """The Apache License, Version 2.0 (/usr/share/common-licenses/Apache-2.0),
with the LLVM exception: as an exception, if, as a result of your compiling your source code,
portions of this Software are embedded into an Object form of such source code, you may
redistribute such embedded portions in such Object form without complying with the conditions
of Sections 4(a), 4(b) and 4(d) of the License.""",
}
# Licences whose text is taken from the crates that carry them (long texts, no common file).
FROM_CRATE = {"Unicode-3.0": ["LICENSE-UNICODE", "LICENSE"], "CDLA-Permissive-2.0": ["LICENSE"],
              "Unlicense": ["UNLICENSE"]}


def crates():
    meta = json.loads(subprocess.check_output(
        ["cargo", "metadata", "--format-version", "1", "--locked",
         "--filter-platform", "x86_64-unknown-linux-gnu"]))
    pkgs = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    todo = [p["id"] for p in meta["packages"] if p["name"] in ROOTS and p["source"] is None]
    seen = set()
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        for d in nodes[i]["deps"]:
            if any(k["kind"] is None for k in d["dep_kinds"]):
                todo.append(d["pkg"])
    return sorted((pkgs[i] for i in seen if pkgs[i]["name"] not in ROOTS),
                  key=lambda p: (p["name"], p["version"]))


def ids(expr):
    """Licence identifiers of an SPDX expression ("MIT/Apache-2.0" is the old "OR")."""
    names = re.split(r"\s+(?:OR|AND|WITH)\s+|[()/]", expr)
    return {n.strip() for n in names if n.strip()}


def paragraph(text):
    return "\n".join(" " + (line if line.strip() else ".") for line in text.strip().split("\n"))


def main():
    all_crates = crates()
    used = set()
    lines = []
    for p in all_crates:
        expr = p["license"] or "see the crate's licence file"
        used |= ids(expr) if p["license"] else set()
        lines.append(f"{p['name']} {p['version']}: {expr}")
    out = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        "Upstream-Name: kyso",
        "Comment: /usr/bin/kyso and libkyso_pkcs11.so are statically linked with the Rust",
        " crates listed below (from crates.io; cryptoki with kyso's patches): name, version",
        " and the licence each declares, generated from Cargo.lock by",
        " scripts/deb-copyright.py. Where a crate offers a choice of licences, the texts of",
        " all of them follow.",
        " .",
        paragraph("\n".join(lines)),
        "",
        "Files: *",
        "Copyright: the kyso developers",
        "License: Apache-2.0",
    ]
    used.add("Apache-2.0")
    for name in sorted(used):
        text = TEXTS.get(name)
        if text is None and name in FROM_CRATE:
            for p in all_crates:
                if p["license"] and name in ids(p["license"]):
                    d = os.path.dirname(p["manifest_path"])
                    f = next((os.path.join(d, f) for f in FROM_CRATE[name]
                              if os.path.isfile(os.path.join(d, f))), None)
                    if f:
                        text = open(f, encoding="utf-8").read()
                        break
        if text is None:
            sys.exit(f"deb-copyright.py: no text for licence {name}")
        out += ["", f"License: {name}", paragraph(text)]
    print("\n".join(out))


if __name__ == "__main__":
    main()
