# kyso's messages in English. Every message here has its Vietnamese twin in ../vi/kyso.ftl with
# the same arguments (a test checks). Machine outputs (JSON keys, error codes) are not here.

## Errors: error-<code>, the code being the error's stable name (`kyso --json` gives it).

error-module-load = cannot load PKCS#11 module { $path }: { $message } (check the path, and that the module matches this machine's architecture)
error-module-init = PKCS#11 module { $path } failed to start: C_Initialize returned { $rv }; check what the module needs (its service, reader or configuration), or remove it from kyso.toml
error-module-broken = PKCS#11 module { $path } is broken: { $function } { $message }; update the module or remove it from kyso.toml
error-wrong-pin = wrong PIN: { $retries }; kyso does not retry, check the PIN and run again
pin-retries-unknown = the token does not say how many attempts are left
pin-retries-low = few attempts are left before the token locks
pin-retries-final-try = ONE attempt is left: another wrong PIN locks the token
error-pin-locked = the PIN of token '{ $token }' is locked: unblock it with the SO PIN or ask your CA
error-pin-expired = the PIN of token '{ $token }' has expired: change it with the vendor's tool first
error-pin-invalid = invalid PIN: { $detail }
error-not-logged-in = not logged in to token '{ $token }': a PIN is needed
error-token-removed = token not present or removed{ $slot }: reinsert it and run again
error-token-not-found = no token found matching { $detail }
error-token-not-found-plug-in = no token found: plug in your token (or card) — `kyso doctor` checks each step
error-key-not-found = key not found: { $detail }
error-certificate-not-found = certificate not found: { $detail }
error-certificate-not-valid = { $detail }: signatures made with it would not be valid; renew it with your certificate authority (to sign anyway, e.g. re-signing for a test, pass --allow-expired)
error-ambiguous = { $detail }
error-mechanism-not-supported = mechanism not supported by token '{ $token }': { $what }
error-certificate = broken certificate: { $detail }
error-signature-check = the token's signature does not verify with certificate '{ $certificate }': key and certificate do not match, or the token is faulty; nothing was written
error-config = configuration { $path }: { $message }
error-invalid-input = { $detail }
error-input-not-found = { $name }: not found
error-pkcs11 = PKCS#11 { $function } failed: { $rv }
error-pcsc-unavailable = the PC/SC service (pcscd) is not reachable: { $detail }; install pcscd and start it (`systemctl start pcscd.socket`, or run `pcscd`)
error-pcsc = PC/SC { $function } failed: { $message }
error-document = { $detail }
error-pdf-encrypted = encrypted PDFs cannot be signed by kyso
error-pdf-certified-no-changes = the PDF is certified with no changes allowed (DocMDP P=1): a new signature would invalidate its certification; nothing was written for it: ask its author for a copy certified to allow signatures (P=2)
error-pdf-certified-no-new-visible-field = the PDF is certified (DocMDP P={ $permission }): its certification allows signing, but not adding a visible signature field to a page; nothing was written for it: sign it without --visible (an invisible signature keeps the certification valid)
error-remote-unreachable = cannot reach the remote signing service { $server }: { $message }; check the network and base_url in kyso.toml, then run again
error-remote-login = not logged in to remote account '{ $account }' ({ $message }): run `kyso remote login { $account }`
error-remote-authorization-refused = the remote service refused the { $what } for credential '{ $credential }': { $server_says }; kyso does not retry, check it and run again
error-remote-authorization-expired = the signing authorization for credential '{ $credential }' is no longer valid ({ $message }); { $signed } signature(s) were made with it: run again to authorize the rest
error-remote-credential-disabled = remote credential '{ $credential }' cannot sign: { $message }; contact your signing service provider
error-remote = remote signing service { $server }: { $message }
error-network = network: { $url }: { $failure }
network-http-status = HTTP status { $status }
error-timestamp = timestamp authority { $detail }; no output was written for this file
error-io = { $context }: { $source }

## Signing a batch (kyso sign).

batch-signed-line = signed { $file } -> { $output } ({ $format })
batch-summary = { $signed } signed, { $skipped } skipped (already signed), { $failed } failed with { $algorithm } ({ $signer }, key { $key } on '{ $token }')
batch-summary-unsigned = { $signed } signed, { $skipped } skipped (already signed), { $failed } failed: nothing to sign, so no PIN was asked
batch-failed-line = {"  "}failed: { $what }
batch-failed-live = FAILED { $what }
batch-stopped = batch stopped: { $why }; { $count ->
        [one] 1 file
       *[other] { $count } files
    } not attempted (run again with --skip-existing)
batch-cancelled = batch cancelled: { $count ->
        [one] 1 file
       *[other] { $count } files
    } not attempted; every file listed as signed is whole (run again with --skip-existing to sign the rest)
batch-removed-hung = { $removed } (the token's module did not return after the removal)
batch-removed-summary = { $signed } signed; batch stopped: { $why }; run again with --skip-existing
batch-interrupted = stopping after the signature in progress; finished files are kept (interrupt again to stop at once)
batch-interrupted-again = stopped at once; files being written were removed
progress-signed = signed
progress-eta = eta

## --help (the English texts are the doc comments; these twins keep the catalogues parallel).

clap-usage = Usage:
clap-commands = Commands
clap-options = Options
clap-arguments = Arguments
help-about = kyso — sign documents with USB tokens, smart cards and SoftHSM, many files per PIN entry.
help-modules = PKCS#11 module to load (repeat for several); replaces the modules of kyso.toml
help-config = Configuration file (instead of $KYSO_CONFIG and the default places)
help-json = Print JSON for scripts instead of text
help-verbose = More log output on stderr (-v info, -vv debug; KYSO_LOG_LEVEL=kyso=trace and other env_logger filters for more). PINs are never logged
help-lang = Language of messages: vi (Tiếng Việt) or en [default: from LC_ALL, LC_MESSAGES or LANG]
help-modules-about = List the PKCS#11 modules loaded, their library information, or why one failed to load
help-tokens-about = List tokens: slot, label, manufacturer, model, serial and PIN state
help-tokens-token = Only this token: its label, serial, slot id or a pkcs11: URI
help-certs-about = List certificates on the tokens, with the holder's identity (CCCD, MST…)
help-certs-token = Only this token: its label, serial, slot id or a pkcs11: URI
help-certs-login = Log in first, so private keys hidden before login are seen exactly (asks the PIN)
help-pin_file = Read the PIN from this file (first line; keep it mode 0600)
help-pin_fd = Read the PIN from this open file descriptor (e.g. `--pin-fd 3 3<pin.txt`)
help-pin_env = Read the PIN from the environment variable with this NAME (the name, not the PIN)
help-sign-about = Sign files with one login: FILE.sig (raw) or FILE.p7s (CMS/CAdES) next to each
help-sign-format = Signature format (default: by content, see below; `pdf` is `pades`)
help-sign-token = Use this token (needed when several tokens hold keys): its label, its serial number or slot id (as `kyso tokens` shows them), or a pkcs11: URI (`pkcs11:serial=…`)
help-sign-key_id = Use the key whose CKA_ID is this hex string (as `kyso certs` shows it; `1` is `01`). Without it, a token with several keys asks which (or, not on a terminal, lists them)
help-sign-remember_key = Remember the key chosen (with --key-id, or from the list) for this token in kyso.toml: later runs without --key-id sign with it
help-sign-allow_expired = Sign with a certificate that has expired or is not yet valid (refused by default: such signatures are not valid; for the rare legitimate case, e.g. a test)
help-sign-algorithm = Signature algorithm: rsa-pkcs1-sha256|384|512, rsa-pss-sha256|384|512, ecdsa-sha256|384 (default: see below)
help-sign-out_dir = Write signatures into this directory instead of next to each file (created if missing)
help-sign-recursive = Sign the files of directories given, and of their subdirectories
help-sign-include_signed = Sign signed PDFs found in directories too (`X.signed.pdf`, received to be countersigned); the output is `X.signed-2.pdf`
help-sign-skip_existing = Leave files whose output already exists (resume an interrupted batch)
help-sign-chain = Intermediate CA certificates (PEM) to put in CMS signatures after the signer's; CA certificates on the token are added too when they issue the signer's
help-sign-tsa = Timestamp each signature at this RFC 3161 timestamp authority (CAdES-T / PAdES B-T): the token's signature is checked, then its value is sent (hashed) to the TSA. A TSA that is unreachable or answers wrongly stops the batch; nothing unstamped is written
help-sign-tsa_timeout = Seconds to wait for the timestamp authority
help-sign-visible = PAdES: a visible signature on page PAGE in the box X,Y,WIDTH,HEIGHT (points from the page's lower-left corner; A4 is 595×842), or at a named POSITION (top-left, top-center, top-right, bottom-left, bottom-center, bottom-right; 36 points from the edges, 220×70 unless W,H follow), showing the signer's name, identity numbers and the signing time. PAGE is a number, first, last, -N (from the end) or all (the stamp on every page, one signature). A box that runs off the page is refused, with the page's size
help-sign-reason = PAdES: why the document is signed (`/Reason`, e.g. "Phê duyệt"): shown by PDF readers and, with --visible, on the stamp
help-sign-location = PAdES: where it is signed (`/Location`, e.g. "Hà Nội"): shown by PDF readers and, with --visible, on the stamp
help-sign-contact = PAdES: how to reach the signer (`/ContactInfo`, a phone number or e-mail address)
help-sign-image = A PNG image at the left of the --visible stamp (a scanned handwritten signature, the seal); its transparency is kept
help-sign-font = TrueType font for --visible (needs Vietnamese glyphs)
help-sign-files = Files or directories to sign
help-verify-about = Verify signatures: integrity, signer and identity, signing time, chain to --trust anchors
help-verify-trust = Trust anchors: PEM file(s) of CA certificates (repeat for several)
help-verify-offline = Do not ask OCSP responders or fetch CRLs; the result says revocation was not checked
help-verify-content = The signed document, when it is not named as the signature without `.p7s` (then give exactly one signature file)
help-verify-recursive = With a directory: its subdirectories too
help-verify-files = Signed files (or their .p7s signatures), signed PDFs, or directories of them
help-dev-token-about = Create (or reuse) a SoftHSM token with Vietnamese-style test certificates
help-dev-token-dir = Directory holding the token, its CA and kyso.toml [default: ~/.local/share/kyso/dev-token]
help-dev-token-print_env = Print only `export …` lines for `eval` (SOFTHSM2_CONF, KYSO_CONFIG)
help-dev-token-softhsm = SoftHSM's PKCS#11 module, when not in a usual place
help-devices-about = Readers, cards and USB tokens: what they are and which module drives them
help-devices-watch = After listing, print reader and card events as they happen (one JSON object per line with --json) until interrupted
help-devices-watch_for = With --watch: stop after this many seconds
help-doctor-about = Check everything between a plugged-in token and a signature, and say what to fix
help-doctor-login = Log in to each token (the PIN is asked as for `kyso sign`) to see the private keys that tokens show only after login
help-remote-about = Remote signing accounts (ký số từ xa, Cloud Signature Consortium API): login, list, logout
help-remote-login-about = Get an access token for an account ([[remote]] in kyso.toml) and keep it (0600 file)
help-remote-login-name = The account (`name` of its [[remote]]); optional when there is only one
help-remote-login-wait = Seconds to wait for the browser (authorization code login)
help-remote-list-about = The accounts, their service and their credentials (certificate, key, PIN/OTP, batch)
help-remote-list-name = Only this account
help-remote-logout-about = Forget the account's access token
help-remote-logout-name = The account
help-udev-rules-about = Print the udev rules generated from the token catalogue (udev/70-kyso-tokens.rules)
help-register-about = Make Firefox, Thunderbird, Chromium/Chrome/Edge, LibreOffice and p11-kit load kyso's PKCS#11 module (libkyso_pkcs11.so); --remove undoes it
help-register-dry_run = Say what would change, and change nothing
help-register-remove = Unregister kyso's module from every place instead
help-register-module_path = The module to register (default: libkyso_pkcs11.so next to the kyso binary, or in the lib directory of its install prefix, or in lib/x86_64-linux-gnu/pkcs11 as the Debian package installs it)
help-register-system = Machine-wide: the p11-kit module file /etc/pkcs11/modules/kyso.module (run as root), instead of the user's browsers and ~/.config/pkcs11/modules/kyso.module
help-register-force = Also change the profiles of a running Firefox or Thunderbird, and databases owned by another user (not recommended: close the application instead)
clap-help-command = Print this message or the help of the given subcommand(s)
clap-help-flag = Print help
clap-version-flag = Print version
help-sign-format-values = raw: the bare signature over the file (FILE.sig); cms: CAdES-B detached CMS signature (FILE.p7s); pades: PAdES B-B in FILE.signed.pdf (an incremental update; earlier signatures stay valid); xml: XMLDSig inside the XML file, in FILE.signed.xml

## Listing modules, tokens and certificates.

modules-not-loaded = NOT LOADED
word-module = module
word-slot = slot
word-serial = serial
token-pin-not-initialised = PIN not initialised
token-pin-locked = PIN LOCKED
token-pin-final-try = final PIN try
token-pin-count-low = wrong PIN entered before
token-pin-to-be-changed = PIN must be changed
token-pin-pad = PIN pad
token-pin-ok = PIN ok
certs-not-read = token '{ $token }': certificates not read: { $error }
certs-none = no certificate found
certs-key-hidden = private key not visible before login: `kyso certs --login` checks
certs-no-key = no private key
certs-expired = EXPIRED
certs-not-yet-valid = NOT YET VALID
field-subject = subject
field-identity = identity
field-issuer = issuer
field-serial = serial
field-valid = valid
field-key = key
pin-prompt = PIN for token '{ $token }':{" "}
modules-slots = { $count } slot(s)

## kyso doctor

doctor-register-fix = run `kyso register` (close Firefox and Thunderbird first), then restart the browsers
doctor-no-reader-fix = plug in the token (or the card reader); if it is plugged in, check that libccid is installed (sudo apt-get install libccid) and that `lsusb` lists it
doctor-atr-fix = set the path of your token's PKCS#11 module in kyso.toml ([[module]] path = …), and report the ATR so it can be added to the catalogue
doctor-reinsert = reinsert the token; if the module still sees nothing, it may not support this token (tokens initialised by a CA's software often need the vendor's module, not OpenSC)
doctor-udev-fix = install the kyso package (sudo apt install ./kyso_*.deb) or run sudo make install (or copy udev/70-kyso-tokens.rules to /etc/udev/rules.d/ and run `udevadm control --reload`), then replug the token
doctor-pcscd-missing = pcscd (the PC/SC daemon every USB token goes through) is not installed
doctor-pcscd-install = Debian/Ubuntu: sudo apt-get install pcscd libccid; Fedora: sudo dnf install pcsc-lite pcsc-lite-ccid
doctor-pcscd-answers = pcscd answers
doctor-pcscd-start = start it: sudo systemctl enable --now pcscd.socket (or run pcscd)
doctor-no-reader = pcscd sees no reader
doctor-card-mute = a card is inserted but does not answer
doctor-card-mute-fix = take the card out and insert it again
doctor-no-card = no card or token in any reader
doctor-no-card-fix = insert the card (or plug in the token)
doctor-atr-unknown = the card's ATR is not in kyso's token catalogue
doctor-no-module = no module configured and no known token to choose one for
doctor-module-fix = install the module (see `kyso devices`) or correct its path in kyso.toml
doctor-no-token = the module sees no initialised token
doctor-renew-them = renew them with your CA
doctor-renew = renew the certificate with your CA (and check this computer's clock)
doctor-login-fix = run `kyso doctor --login` to check them with the PIN
doctor-no-cert = no certificate with a private key on the token(s)
doctor-no-cert-fix = the token holds no signing certificate: ask your CA to issue one onto it
doctor-set-home = set HOME
doctor-plug-known = plug in a token kyso knows, or set a module path in kyso.toml
doctor-pcscd-unreachable = cannot reach pcscd: { $message }
doctor-install-module = install { $name }: { $how }
doctor-cert-validity = { $name } [{ $token }] valid { $from } .. { $to }
doctor-also-expired = also expired or not yet valid: { $list }
doctor-all-expired = every certificate with a key is expired or not yet valid: { $list }
doctor-keys-hidden = certificate(s) found, private key not visible before login (usual on real tokens): { $list }
doctor-udev-missing = { $file } is not installed
doctor-not-registered = not registered in { $list }
doctor-registered-in = registered in { $list }
doctor-not-checked = not checked: { $why }
doctor-why-no-pcscd = pcscd is not reachable
doctor-why-no-reader = no reader
doctor-why-no-card = no card
doctor-why-no-module = no module loaded
doctor-why-no-token-found = no token found
doctor-why-no-token = no token
doctor-mark-ok = ok
doctor-mark-warn = warn
doctor-mark-fail = FAIL
doctor-mark-skip = skip
doctor-fix = fix
doctor-blocked = Something blocks signing: fix the first FAIL above and run `kyso doctor` again.
doctor-ready = Ready to sign.
doctor-check-pcscd-installed = pcscd installed
doctor-check-pcscd-reachable = pcscd reachable
doctor-check-readers-present = readers present
doctor-check-card-present = card present
doctor-check-token-identified = token identified
doctor-check-module-installed-and-loadable = module installed and loadable
doctor-check-token-visible-through-the-module = token visible through the module
doctor-check-certificates-found-and-not-expired = certificates found and not expired
doctor-check-udev-rules-installed = udev rules installed
doctor-check-kyso-module-registered-in-browsers = kyso module registered in browsers

## The visible stamp (its language is the document's: --stamp-lang).

stamp-signed-by = Signed by
stamp-time = Time
stamp-reason = Reason
stamp-location = Location
help-sign-stamp_lang = Language of the --visible stamp's words: vi ("Ký bởi", "Thời gian") or en ("Signed by", "Time"); the document's language, whatever --lang says

## Choosing the key (kyso sign).

key-remembered-used = token '{ $token }': using key { $key }, remembered in { $file } (--key-id chooses another)
key-authorisations = { $documents } documents need { $needed } authorisations: this service allows { $per } signatures per authorisation (each asks for its own OTP)
key-remembered = remembered key { $key } for token '{ $token }' (serial { $serial }) in { $file }
key-choose-list = token '{ $token }' holds { $count } keys:
key-choose-prompt = sign with which key? [1-{ $count }]
key-none-chosen = no key chosen ('{ $answer }'); choose one with --key-id

## Reading the PIN (never shown, never logged).

pin-what-file = PIN file { $path }
pin-what-fd = file descriptor { $fd }
pin-is-directory = { $what } is a directory, not a file
pin-cannot-read = cannot read { $what }
pin-cannot-read-from = cannot read the PIN from { $what }
pin-env-unset = environment variable { $name } is not set
pin-no-terminal = no terminal to ask the PIN on: use --pin-file, --pin-fd or --pin-env
pin-reading-terminal = reading the PIN from the terminal
pin-empty = the PIN is empty
pin-line-too-long = the first line of { $what } is longer than { $max } bytes: not a PIN
pin-source-empty = { $what } is empty
pin-line-empty = the first line of { $what } is empty
pin-not-utf8 = the first line of { $what } is not UTF-8 text

## Long-term signatures (kyso extend, --level, trust anchors).

help-extend-about = Make signed PDFs long-term (PAdES B-LT / B-LTA: validation data and an archive timestamp), or renew their archive timestamp
help-extend-level = b-lt (validation data) or b-lta (and a document timestamp; needs --tsa)
help-extend-tsa = RFC 3161 timestamp authority of the document timestamp (B-LTA)
help-extend-timeout = Seconds to wait for the timestamp authority and each OCSP responder or CRL server
help-extend-out_dir = Write the extended PDFs here (same names) instead of replacing them
help-extend-skip_existing = Leave PDFs already at the level (resume an interrupted run), unless their archive timestamp is due for renewal (see --renew-days)
help-extend-renew_days = With --skip-existing: still renew a B-LTA file whose last document timestamp's TSA certificate expires within this many days
help-extend-files = Signed PDFs
help-sign-level = Baseline level: b-b (no timestamp), b-t (with --tsa), b-lt (b-t and the validation data of the signer's and the TSA's chains, fetched once per certificate for the whole batch; with --format cms, CAdES-LT), b-lta (PAdES: b-lt and a document timestamp over the whole file, for archives; renew it with `kyso extend`)
help-verify-no_default_trust = Do not trust the built-in anchors (the Vietnam National Root CA): only --trust and kyso.toml's `[verify] trust`
help-verify-intermediates = Intermediate CA certificates (PEM or DER file, or a folder of them; repeat for several) for chains a signature does not carry whole. Missing ones are also fetched from the certificates' caIssuers URLs unless --offline
extend-done = extended to { $level }
extend-left = already { $level }, left
extend-failed = not extended: { $error }

## kyso serve (the local signing service portals call).

help-serve-about = The local signing service web portals call (VGCA- and VNPT-compatible, on loopback): each batch confirmed and its PIN typed in pinentry, outside the browser
help-serve-allow_origin = Also allow web pages from this origin (`https://portal.example.vn`) to ask for signatures, on top of [serve] origins in kyso.toml (repeat for several)
help-serve-vgca_port = The VGCA-compatible endpoint's port (0: any free port)
help-serve-vnpt_port = The VNPT-compatible endpoint's port; 4433 falls back to 4434 and 4435 when taken (0: any free port)
help-serve-token = The token to sign with (label, serial, slot or pkcs11: URI), when several are present
help-serve-key_id = The key to sign with (CKA_ID, hex), when the token holds several
help-serve-ca_dir = Where the local CA lives (default $XDG_DATA_HOME/kyso/serve)
help-serve-max_request_mib = The largest request (WebSocket message) and download, in MiB

## XML signatures (kyso sign --format xml).

help-sign-in_place = XML: write each signed file over its input (atomically: the input stays whole until the signed file, verified, replaces it), as invoicing software that watches a folder expects. Needs --format xml
help-sign-profile = XML: what is signed and where the signature goes
help-sign-profile-values = auto: by the root element (HDon: einvoice, HSoThueDTu: tax, Hoso: bhxh, else enveloped); einvoice: e-invoice (Circular 78), HDon/DLHDon by its Id, the signature in DSCKS/NBan (seller) or DSCKS/NMua (buyer); enveloped: the whole document; tax: tax declaration (HTKK), into HSoThueDTu/CKyDTu; xades-bes: XAdES-BES over the whole document; bhxh: social insurance, into <root>/Cky (the Hoso envelope into Hoso/CKy_Dvi)
help-sign-role = XML e-invoices: who signs (the seller first, the buyer after)
help-sign-role-values = seller: the seller (DSCKS/NBan); buyer: the buyer (DSCKS/NMua), after the seller, whose signature stays valid
help-sign-subject_name = XML: how X509SubjectName is written (no verifier checks it)
help-sign-subject_name-values = rfc4514: UID=MST:…,CN=…,C=VN; dotnet: as .NET senders write it, OID.0.9.2342.19200300.100.1.1=MST:…, CN=…, C=VN

## kyso serve: what the person reads in pinentry.

serve-what-hash = sign a hash ({ $op })
serve-what-data = sign data ({ $op })
serve-what-xml = sign an XML document ({ $op })
serve-what-pdf = sign a PDF document ({ $op })
serve-what-one = sign { $name } ({ $op })
serve-what-many = sign { $count } documents ({ $op })
serve-what-pdfs = sign { $count } PDF documents ({ $op })
serve-confirm-title = kyso — signing request
serve-confirm-ok = _Sign
serve-confirm-intro = The web page { $origin } asks to { $what }.
serve-confirm-cert = Certificate: { $holder } (serial { $serial }), token '{ $token }'.
serve-confirm-count = { $count } document(s):
serve-confirm-more = … and { $count } more
serve-confirm-one = Sign it?
serve-confirm-all = Sign them all?
serve-pin-title = kyso — PIN
serve-pin-asks = { $origin } asks to sign with { $holder } (token '{ $token }').
serve-pin-enter = Enter the token's PIN.
serve-pin-each = This key asks for its PIN at every signature: signature { $n } of { $total }.
serve-pin-final-try = Last try: one more wrong PIN locks the token
serve-pin-count-low = A wrong PIN was entered before: few tries left
