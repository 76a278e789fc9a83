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
help-sign-tsa = Timestamp each signature at this RFC 3161 timestamp authority (CAdES-T / PAdES B-T / XAdES-T with --profile xades-t): the token's signature is checked, then its value is sent (hashed) to the TSA. A TSA that is unreachable or answers wrongly stops the batch; nothing unstamped is written
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
doctor-check-kyso-serve-signing-on-web-portals-running = kyso serve (signing on web portals) running
doctor-check-browsers-trust-kyso-serve-s-local-ca = browsers trust kyso serve's local CA

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
help-sign-profile-values = auto: by the root element (HDon: einvoice, HSoThueDTu: tax, Hoso: bhxh, else enveloped); einvoice: e-invoice (Circular 78), HDon/DLHDon by its Id, the signature in DSCKS/NBan (seller) or DSCKS/NMua (buyer); enveloped: the whole document; tax: tax declaration (HTKK), into HSoThueDTu/CKyDTu; xades-bes: XAdES-BES over the whole document; xades-t: xades-bes and a signature timestamp from --tsa; bhxh: social insurance, into <root>/Cky (the Hoso envelope into Hoso/CKy_Dvi)
help-sign-role = XML e-invoices: who signs (the seller first, the buyer after)
help-sign-role-values = seller: the seller (DSCKS/NBan); buyer: the buyer (DSCKS/NMua), after the seller, whose signature stays valid
help-sign-subject_name = XML: how X509SubjectName is written (no verifier checks it)
help-sign-subject_name-values = rfc4514: UID=MST:…,CN=…,C=VN; dotnet: as .NET senders write it, OID.0.9.2342.19200300.100.1.1=MST:…, CN=…, C=VN

## kyso verify's report.

verify-verdict-valid = VALID
verify-verdict-invalid = INVALID
verify-verdict-untrusted = NOT TRUSTED
verify-verdict-error = ERROR
verify-label-error = error
verify-label-signer = signer
verify-label-subject = subject
verify-label-issuer = issuer
verify-label-signed-at = signed at
verify-label-timestamp = timestamp
verify-label-tsa-chain = tsa chain
verify-label-tsa-trust = tsa trust
verify-label-algorithm = algorithm
verify-label-signature = signature
verify-label-document = document
verify-label-problem = problem
verify-label-chain = chain
verify-label-anchor = anchor
verify-label-trust = trust
verify-label-level = level
verify-label-revocation = revocation
verify-valid = valid
verify-invalid = INVALID
verify-time-unknown = unknown
verify-tsa-unknown = an unknown TSA
verify-signed-at-claimed = { $time } (claimed by the signer)
verify-signed-at-claimed-untimestamped = { $time } (claimed by the signer, not timestamped)
verify-timestamp-by = { $time } by { $tsa } ({ $state })
verify-timestamp-token-valid = token valid, imprint matches this signature
verify-document-modified = MODIFIED after signing
verify-document-modified-because = MODIFIED after signing: { $what }
verify-document-modified-appended = MODIFIED after signing: bytes were added after this signature
verify-document-unmodified = unmodified
verify-document-unmodified-later-revisions = unmodified; later revisions only add signatures, form fields or validation data
verify-no-identity-number = no identity number
verify-no-anchor = no trust anchor (--no-default-trust): pass --trust CA.pem
verify-not-under-anchor = not under the Vietnam National Root CA nor an anchor given: pass --trust CA.pem or add it to [verify] trust in kyso.toml
verify-document-timestamp = document timestamp { $timestamp }: archives everything before it
verify-document-timestamp-invalid = document timestamp: { $problems }
verify-level = { $family } { $level } (validation data: { $data })
verify-validation-data-embedded = embedded
verify-validation-data-fetched = fetched
verify-validation-data-none = none
verify-offline-not-asked = --offline: no OCSP responder or CRL was asked
verify-count = { $valid } valid, { $invalid } invalid, { $untrusted } not trusted{ $errors ->
        [0] {""}
       *[other] , { $errors } could not be verified
    }
verify-content-one-signature = --content names the document of one signature; { $count } files were given
verify-folder-empty = { $dir }: no signed document found (no .p7s signature, no signed PDF or XML)
verify-no-detached-signature = { $file }: no signature found: { $signature } not found (a detached signature is FILE.p7s beside FILE; a signed PDF carries its signatures inside)
verify-content-not-found = { $file }: not found (the document { $signature } signs; give it with --content)
verify-not-cms-empty = { $name } is empty (0 bytes), not a CMS signature
verify-not-cms-pem-signature = { $name } is a PEM-encoded signature (-----BEGIN { $label }-----); kyso reads DER: convert it with `openssl cms -cmsout -inform PEM -outform DER -in { $name } -out FILE.p7s`
verify-not-cms-pem = { $name } is PEM text (-----BEGIN { $label }-----), not a CMS signature
verify-not-cms-pdf = { $name } is a PDF, not a CMS signature (a signed PDF carries its signatures inside: verify the PDF itself)
verify-not-cms-certificate = { $name } is an X.509 certificate, not a CMS signature
verify-not-cms-not-der = { $name } is not a CMS signature: not DER (a CMS signature starts with byte 0x30)
verify-content-digest-differs = { $file } does not match the signature { $signature }: its digest differs from the signed one (the file was changed after signing, or the signature is for another file)
verify-covered-bytes-changed = the bytes this signature covers in { $file } were changed after signing (digest differs)
verify-chain-certificate-revoked = '{ $subject }' is revoked: { $revocation }
verify-revoked-after-timestamp = after the signature timestamp: the signature was made while the certificate was valid
verify-signer-revoked = the signer's certificate is revoked: { $revocation }
verify-pdf-unsigned = the PDF has no signature
verify-modified-after-signature = the document was modified after this signature: { $what }
verify-appended-after-last-signature = the document was changed after its last signature (bytes appended)
revocation-good = good
revocation-revoked = revoked
revocation-unknown = unknown
revocation-unreachable = unreachable
revocation-not-checked = not checked
revocation-on = {" "}on { $time }
revocation-by = {" "}by { $source }
problem-content-modified = the document was modified after signing (digest differs)
problem-tstinfo-modified = the TSTInfo was modified after signing (digest differs)
problem-signing-certificate-other = signing-certificate attribute names another certificate
problem-signature-does-not-verify = the { $algorithm } signature does not verify with the signer's public key
problem-timestamp-no-signing-certificate = the token has no ESS signing-certificate attribute (RFC 3161 §2.4.2)
problem-timestamp-imprint = message imprint: { $error }
problem-timestamp-other-data = the token timestamps other data than this signature (message imprint differs)
problem-timestamp-not-tsa-certificate = '{ $subject }' is not a timestamping certificate (extendedKeyUsage timeStamping missing)
problem-not-yet-valid = '{ $subject }' is not valid before { $time }
problem-expired = '{ $subject }' expired on { $time }
problem-issuer-not-ca = '{ $subject }' issued '{ $issued }' but is not a CA certificate (basicConstraints CA:TRUE missing)
problem-key-usage-no-signatures = the signer's certificate does not allow signatures (key usage: { $usage })
revocation-issuer-unknown = the issuer '{ $issuer }' is not known: pass its certificate with --trust
revocation-no-source = the certificate names no OCSP responder and no HTTP CRL distribution point
chain-issuer-not-found = issuer '{ $issuer }' of '{ $subject }' not found among the trust anchors ({ $anchors }) or the intermediate certificates ({ $intermediates }); add the CA certificate
chain-loops = certificate chain loops back at '{ $issuer }' without reaching a trust anchor

## kyso devices: readers, cards, USB tokens.

devices-module = module: { $name } ({ $path })
devices-no-module-hint = no module installed: { $hint }
devices-no-module = no module
devices-shipped-by = , shipped by { $cas }
devices-note = note: { $note }
devices-pcsc-running = PC/SC: pcscd running, { $readers } reader(s)
devices-no-reader = no reader: plug in the token or the card reader
devices-pcsc-not-running = PC/SC: pcscd not running ({ $message }): install pcscd and start it (`systemctl start pcscd.socket`, or run `pcscd`)
devices-pcsc-error = PC/SC: error: { $message }
devices-no-card = no card
devices-card-mute = a card that does not answer (reinsert it)
devices-reader-unavailable = unavailable
devices-card = card { $atr }
devices-unknown-card = unknown card: not in kyso's catalogue; set its module in kyso.toml
devices-unknown-card-short = unknown card
devices-usb = USB: { $devices } device(s), { $tokens } known token(s)
devices-usb-unavailable = USB: not available here ({ $message })
devices-usb-no-permission = no permission: install the udev rules (make install)
devices-usb-at = bus { $bus } device { $device }
devices-event-reader-added = reader added: { $reader }
devices-event-reader-removed = reader removed: { $reader }
devices-event-card-inserted = card inserted in { $reader }: { $atr } — { $what }
devices-event-card-removed = card removed from { $reader }
devices-event-pcscd-stopped = pcscd stopped: waiting for it to come back
devices-event-pcscd-running = pcscd running
devices-watching = watching for readers and cards (Ctrl-C to stop)…

## kyso remote: remote signing accounts.

remote-no-account = no [[remote]] account in { $config }: add one with base_url and client_id (see README)
remote-no-account-no-config = no [[remote]] account in kyso.toml (none found): add one with base_url and client_id (see README)
remote-no-such-account = no [[remote]] named '{ $name }' in kyso.toml
remote-several-accounts = several remote accounts, name one: { $names }
remote-logged-out = logged out of { $account }
remote-no-stored-token = { $account }: no stored token
remote-open-this-page = Open this page to log in to { $account }:
remote-login-needs-user = [[remote]] '{ $account }' uses auth = "login": set user
remote-password-prompt = Password of { $user } at { $account }:{" "}
remote-logged-in = logged in to { $account }; token kept in { $file }
remote-logged-in-for = logged in to { $account } for { $seconds } s; token kept in { $file }
remote-list-error = ERROR: { $error }
remote-list-valid-until = valid until { $time }
remote-list-credential = { $status }; PIN { $pin }, OTP { $otp }, { $multisign } signature(s) per authorisation

## kyso dev-token.

dev-token-no-softhsm = SoftHSM not found: install it (apt-get install softhsm2) or pass --softhsm PATH
dev-token-no-home = HOME is not set: pass --dir
dev-token-created = dev token '{ $label }' created in { $dir }
dev-token-reused = dev token '{ $label }' reused in { $dir }
dev-token-pins = PIN { $pin } (SO PIN { $so_pin }) — test values, never for real keys
dev-token-module = module
dev-token-ca = test CA
dev-token-pin-file = PIN file
dev-token-pin-file-value = { $file } (for --pin-file)
dev-token-key = key { $id } { $label } certificate { $certificate }, public key { $public_key }

## kyso sign: options checked before the PIN.

sign-out-dir-not-directory = --out-dir { $dir } is not a directory
sign-out-dir-not-writable = --out-dir { $dir } is not writable
sign-visible-needs-pades = --visible needs --format pades
sign-reason-needs-pades = --reason, --location and --contact need --format pades
sign-nothing-signed-left-out = no file to sign in the directories given: the signed PDFs there are left out (pass --include-signed to countersign them)
sign-nothing-to-sign = no file to sign in the directories given
sign-in-place-needs-xml = --in-place needs --format xml (the signature goes inside XML files; other formats write a new file)
sign-level-bb-with-tsa = --level b-b has no timestamp: leave out --tsa, or ask for --level b-t
sign-level-needs-tsa = --level b-t, b-lt and b-lta need a timestamp authority: give --tsa URL
sign-level-blta-needs-pades = --level b-lta needs --format pades (kyso does not write CAdES-LTA archive timestamps in .p7s; --level b-lt does CAdES-LT)
sign-level-blt-needs-pades-or-cms = --level b-lt needs --format pades (PAdES B-LT) or cms (CAdES-LT)
sign-tsa-needs-document-format = --tsa needs --format cms or pades (a raw signature has no room for a timestamp)
sign-tsa-not-http = --tsa { $url }: expected an http:// or https:// URL
key-id-not-hex = --key-id '{ $id }' is not hex
certificate-file-not-a-certificate = { $file }: not a PEM or DER certificate ({ $error })
io-installing-ctrl-c = installing the Ctrl-C handler
io-reading-key-choice = reading the choice of key
io-reading-directory = reading directory { $dir }
doctor-serve-ports = VGCA on wss://127.0.0.1:{ $vgca }, VNPT on wss://localhost:{ $vnpt }/plugin
doctor-serve-port-taken = another program listens on port { $port } (the VGCA plugin's)
doctor-serve-port-taken-fix = stop it (another signing plugin?), then start kyso serve
doctor-serve-not-running = not running (only needed to sign on web portals)
doctor-serve-not-running-fix = systemctl --user enable --now kyso-serve (or run `kyso serve`)
doctor-serve-no-nss-db = no browser NSS database
doctor-serve-ca-untrusted = not trusted in { $missing }
doctor-serve-ca-partly-trusted = not trusted in { $missing }; trusted in { $trusted }
doctor-serve-ca-fix = run `kyso register` (close Firefox and Thunderbird first)

## kyso register: the module and kyso serve's CA in browsers' NSS databases.

register-status-registered = registered
register-status-would-register = would register
register-status-updated = updated
register-status-would-update = would update
register-status-already-registered = already registered
register-status-removed = removed
register-status-would-remove = would remove
register-status-not-registered = not registered
register-status-in-use = skipped (in use)
register-status-legacy-dbm = skipped (old dbm:)
register-status-no-database = skipped (no NSS DB)
register-status-other-owner = skipped (owner)
register-status-failed = FAILED
register-no-home = HOME is not set
register-not-a-library = { $path } is not a shared library
io-locating-kyso = locating the kyso binary
io-running = running { $program }
register-module-not-found = { $module } not found next to { $dir } nor in { $prefix }/lib: install it (`make install`), or name it with --module-path
register-legacy-dbm = old-format (dbm:) NSS database (cert8.db, secmod.db), not changed: open this profile once with a current { $program } (it converts the database), then run `kyso register` again
register-no-database = the profile has no NSS database yet: start { $program } once, then run `kyso register` again
register-in-use = { $program } is running with this profile (pid { $pid }): close { $program } first and run again (or --force)
register-other-owner = owned by uid { $owner }, not by this user (uid { $me }): run `kyso register` as that user, without sudo
register-would-create-database = would create the database
register-created-database = created the database
register-ca-trusted-for = trusted for TLS servers on this computer's loopback only
register-place-serve-ca = kyso serve's local CA in { $place }
register-place-p11kit = p11-kit module file
register-place-profile = { $app } profile { $profile }
register-place-shared = { $app } shared NSS DB
register-program-browser = the browser
register-by-file = by { $file }
register-module = module { $module }
register-dry-run = dry run: nothing was changed
register-restart-applications = restart the applications that were open for them to see the change
register-some-not-changed = some places were not changed: see above, then run `kyso register` again
register-state-no-database = { $place } (no database yet)
register-state-module-gone = { $place } (registered module { $library } does not exist)
register-nss-tools-missing = { $tool } (NSS tools) is not installed: Debian/Ubuntu: sudo apt-get install libnss3-tools; Fedora: sudo dnf install nss-tools
register-nss-tool-failed = { $tool } { $command } failed on { $dir }: { $message }

## Commands' longer help (after the options); the English twin of each is the code's (a test checks).

help-verify-after =
    A detached signature is FILE.p7s beside FILE (give either name), or any signature file with
    --content naming its document. An XML file (FILE.xml, e-invoices, declarations) has each
    XMLDSig signature inside verified: its references, where the signed data is (wrapping
    attacks), the seller's tax code against the certificate for e-invoices. A PDF without one
    has its embedded PAdES signatures verified, each of them. A directory is verified whole: every .p7s signature and every signed PDF in it
    (subdirectories with --recursive), ending with a one-line count. Documents and signatures
    must be regular files (not FIFOs or devices).

    Revocation: the signer's certificate is checked at the OCSP responder its Authority Information
    Access names, else with the CRL of its CRL distribution points (HTTP), each answer verified
    with the issuer's key; the result is good, revoked (with time and reason), unknown or
    unreachable. --offline asks nothing and says so. A revoked certificate makes the signature
    invalid unless a valid signature timestamp shows it was made before the revocation.

    Trust: the Vietnam National Root CA (NEAC, rootca.gov.vn) is built in, so signatures from
    the licensed Vietnamese CAs (VNPT-CA, Viettel-CA, BKAV-CA, FPT-CA…) chain without options.
    kyso.toml's `[verify] trust = ['ca.pem', …]` and --trust add anchors; --no-default-trust
    leaves the built-in root out. The report names the anchor each chain ended at.

    Exit status: 0 when every signature is valid and its signer chains to a trust anchor,
    1 when any is invalid, modified, revoked or untrusted, 2 when kyso could not run.

    Examples:
      kyso verify report.pdf                     # a Vietnamese CA's signature: no options
      kyso verify --trust org-ca.pem --json *.p7s
      kyso verify --no-default-trust --trust ca.pem received/   # ... 200 valid, 0 invalid

help-sign-after =
    Default format (no --format): each file by its content: PDFs are signed in the PDF (pades,
      FILE.signed.pdf); XML files get an XMLDSig signature inside (xml, FILE.signed.xml: an
      e-invoice in HDon/DSCKS/NBan, any other XML over the whole document); anything else gets
      a detached CAdES signature (cms, FILE.p7s). --format raw writes the bare signature
      (FILE.sig).

    Default algorithm:
      EC keys: ECDSA with the curve's hash (P-256: ecdsa-sha256, P-384: ecdsa-sha384).
      RSA keys, --format raw and xml: rsa-pkcs1-sha256 (what e-invoice receivers accept).
      RSA keys, document formats (cms, pades): rsa-pss-sha256 (RSASSA-PSS, MGF1-SHA-256, salt 32),
        the scheme Vietnam's 2025 technical rules (Decree 23/2025) name for RSA signatures.
        When the token offers no PSS mechanism, kyso falls back to rsa-pkcs1-sha256 and says so.
        For relying parties that still accept only PKCS#1 v1.5, pass
        --algorithm rsa-pkcs1-sha256.

    Examples:
      kyso sign --format cms --pin-file ~/.pin --key-id 01 a.pdf b.docx
      openssl cms -verify -binary -inform DER -in a.pdf.p7s -content a.pdf -CAfile ca.pem -purpose any
      kyso sign --format pades --pin-file ~/.pin quyet-dinh.pdf      # -> quyet-dinh.signed.pdf
      pdfsig quyet-dinh.signed.pdf
      kyso sign --format pades --visible 1,350,40,220,70 --pin-file ~/.pin quyet-dinh.pdf
      kyso sign --format pades --visible last,bottom-right --pin-file ~/.pin quyet-dinh.pdf
      kyso sign --format cms --tsa http://tsa.example.vn/tsa --pin-file ~/.pin a.pdf   # CAdES-T
      kyso sign --format cms --recursive --skip-existing --pin-fd 3 3<pin.txt ./outbox
      kyso sign --format xml --pin-file ~/.pin hoa-don-*.xml     # -> hoa-don-N.signed.xml
      xmlsec1 --verify --id-attr:Id DLHDon --trusted-pem ca.pem hoa-don-1.signed.xml
      kyso sign --format xml --role buyer hoa-don-1.signed.xml   # -> hoa-don-1.signed-2.xml
      kyso sign --format raw --key-id 01 a.txt
      openssl dgst -sha256 -verify pub.pem -signature a.txt.sig a.txt

help-extend-after =
    Each PDF gets, in an incremental update after its signatures, a Document Security Store with
    the certificates, OCSP responses and CRLs of every signature and timestamp in it (fetched
    once per certificate for the whole run), so it stays verifiable when the CAs' responders are
    gone (B-LT); with --level b-lta (the default) a document timestamp from --tsa follows, over
    everything. Run again on a B-LTA file before its last timestamp's TSA certificate expires, it
    renews the archive. Earlier signatures stay valid; each file is replaced atomically (or
    written into --out-dir), and --skip-existing leaves files already at the level, except B-LTA
    files whose last timestamp's TSA certificate expires within --renew-days (90): those are
    renewed, so a nightly `kyso extend --skip-existing` over an archive keeps it verifiable.

    Examples:
      kyso extend --tsa http://tsa.example.vn archive/*.pdf
      kyso extend --level b-lt received.pdf
      kyso extend --tsa http://tsa.example.vn --skip-existing archive/*.pdf   # resume

help-dev-token-after =
    Example:
      eval "$(kyso dev-token --dir /tmp/t --print-env)"
      kyso certs
extend-blta-needs-tsa = --level b-lta (the default) needs --tsa URL for the document timestamp; --level b-lt adds the validation data only

## The command line's own errors (clap's, told again in the language in use).

clap-error = error: { $what }
clap-error-unknown-argument = unexpected argument '{ $arg }'
clap-error-unknown-command = unknown command '{ $command }'
clap-error-missing-value = a value is required for '{ $arg }' but none was supplied
clap-error-invalid-value = invalid value '{ $value }' for '{ $arg }'
clap-error-value-validation = invalid value '{ $value }' for '{ $arg }': { $why }
clap-error-missing-required = the following required arguments were not provided: { $args }
clap-error-missing-command = a command is required
clap-error-conflict = the argument '{ $arg }' cannot be used with '{ $other }'
clap-error-number-of-values = wrong number of values for '{ $arg }'
clap-error-no-equals = equal sign is needed when assigning values to '{ $arg }'
clap-error-not-utf8 = an argument is not valid UTF-8
clap-error-other = the command line is not valid
clap-error-valid-values = possible values: { $values }
clap-error-did-you-mean = tip: a similar one exists: '{ $what }'
clap-error-more-help = For more information, try '--help'.

## Documents checked before the PIN (the library's batch checks).

check-xml-too-large = { $name } is larger than { $mb } MB: kyso does not read XML files that large
check-not-a-pdf = { $name } is not a PDF (no %PDF- header at its start)
check-empty-pdf = { $name } is empty (0 bytes), not a PDF
check-pdf-encrypted-password = { $name } is encrypted and needs a password to open: kyso cannot sign it; ask its sender for an unencrypted copy, or make one with `qpdf --decrypt --password=PASSWORD { $name } decrypted.pdf` and sign that
check-pdf-encrypted-owner = { $name } is encrypted (it opens without a password, but its owner password restricts changes): kyso cannot sign it; make a signable copy with `qpdf --decrypt { $name } decrypted.pdf` (if its author allows) and sign that
check-pdf-encrypted = { $name } is encrypted: kyso cannot sign it; make a signable copy with `qpdf --decrypt { $name } decrypted.pdf` (add --password=PASSWORD if it needs one to open) and sign that
file-kind-directory = a directory
file-kind-fifo = a FIFO (named pipe)
file-kind-char-device = a character device
file-kind-block-device = a block device
file-kind-socket = a socket
file-kind-other = not a regular file
file-not-regular = { $path } is { $kind }, not a regular file: kyso reads documents and signatures from regular files only
visible-no-such-page = --visible: the PDF has { $count } page(s), not { $page }
visible-off-page = --visible: the box { $rect } (x,y,width,height) runs off page { $page }, which is { $size } points{ $rotated ->
        [yes] {" "}as shown
       *[no] {""}
    }: choose a box inside it, or a named position (e.g. { $example },bottom-right)
pdf-cannot-read = cannot read the PDF: { $error }
io-not-found = No such file or directory
io-permission-denied = Permission denied
io-already-exists = File exists
io-storage-full = No space left on device
io-read-only = Read-only file system
io-is-a-directory = Is a directory
io-not-a-directory = Not a directory
io-quota-exceeded = Disk quota exceeded
io-timed-out = timed out
discovery-config-without-module = { $config } has no [[module]]
discovery-no-config = no kyso.toml found
discovery-no-known-token = no known token is plugged in (see `kyso devices`)
discovery-no-module = no PKCS#11 module configured ({ $searched }) and none found for the tokens plugged in ({ $seen }): for a token kyso does not know, pass --module PATH (e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so or your token vendor's module) or add a [[module]] with its path to kyso.toml
choose-token-not-among = '{ $token }' (as a label, serial, slot id or pkcs11: URI); tokens present: { $present }
choose-token-plug-in = '{ $token }': plug in your token (or card) — `kyso doctor` checks each step
discovery-module-failed = module { $module }: { $error }
discovery-remote-failed = remote account { $account }: { $error }
discovery-no-module-loaded = no PKCS#11 module could be loaded: { $why }
discovery-cannot-list-tokens = module { $module }: cannot list tokens: { $error }

## Choosing the token, key and algorithm (the library's choices).

choose-no-token-holds-key = no token holds a key with id { $id }; tokens: { $tokens }
choose-no-token-holds-certificate = no token holds a certificate with a key; tokens: { $tokens }
choose-several-tokens = several tokens hold keys, choose one with --token LABEL, --token SERIAL or --token 'pkcs11:serial=SERIAL': { $tokens }
choose-several-keys = token '{ $token }' holds { $count } keys; choose one with --key-id:
choose-no-key-with-id = no certificate with a private key has id { $id } on token '{ $token }' (see `kyso certs`)
choose-no-key-on-token = token '{ $token }' holds no certificate with a private key
choose-unknown-algorithm = unknown algorithm '{ $name }'; known: { $known }
choose-no-pss = token '{ $token }' offers no RSASSA-PSS: signing with rsa-pkcs1-sha256
choose-key-type-unsupported = kyso cannot sign with a { $key_type } key
choose-algorithm-not-offered = { $algorithm } with a { $key_type } key; this key can do: { $offered }
choose-key-description = id { $id } — { $name } — issued by { $issuer } — valid { $from } to { $to }
choose-mark-expired = EXPIRED
choose-mark-not-yet-valid = NOT YET VALID
output-input-changed = { $name } changed while it was being signed; nothing was written for it, sign it again
plan-same-output = { $first } and { $second } would both be signed to { $output }: sign them into different --out-dir directories
plan-output-is-input = signing { $input } would replace { $output }, which is also to be signed: sign them into different --out-dir directories
extend-unreadable-signature = a signature in it cannot be read ({ $error }): nothing to extend
extend-unsigned = the PDF has no signature: nothing to extend (sign it with `kyso sign`)
pin-refused-length-or-characters = the token refuses this PIN's length or characters
key-gone = the key on token '{ $token }' is gone ({ $function })
key-refuses-operation = the key refuses this operation: { $rv }
pin-already-refused = token '{ $token }' already refused this PIN; not trying it again
pin-new-empty = the new PIN is empty
pin-cancelled-for-signature = no PIN given for this signature (cancelled)
config-no-place = no place for kyso.toml: set XDG_CONFIG_HOME or HOME

## kyso verify on XML files.

verify-label-location = location
verify-label-covers = covers
verify-label-seller-mst = seller MST
verify-xml-unsigned = { $name } has no XML signature
verify-xml-signing-time = { $time } (SigningTime, Vietnam time, claimed by the signer)
verify-xml-mst-matches = matches the certificate
verify-xml-mst-differs = NOT the certificate's
xml-problem-reference-changed = the data reference { $uri } covers was changed after signing (its digest differs)
xml-problem-signature-value = the signature value does not verify with the certificate's key (SignedInfo changed, or the signature was made by another key)
xml-problem-signing-certificate = the signed SigningCertificateV2 does not name the certificate in KeyInfo (a certificate substituted after signing)
xml-problem-timestamp = the signature timestamp does not hold: { $problems }
xml-problem-mst = the seller's tax code in the invoice is not the certificate's (MST { $mst })
xml-problem-mst-none = the seller's tax code in the invoice is not the certificate's (MST none)
xml-no-certificate = { $location }: no X509Certificate in KeyInfo: kyso cannot tell who signed
xml-external-reference = { $location }: the reference { $uri } is outside the document: kyso checks same-document references only
xml-problem-wrapped-in-signature = a reference resolves to { $path }, inside a signature: signed data moved there while readers see other data is a wrapping attack
xml-problem-invoice-data-moved = the invoice data signed is at { $path }, not HDon/DLHDon where it is read: a wrapping attack
xml-whole-document = the whole document
xades-t-needs-tsa = XAdES-T (--profile xades-t) timestamps each signature: give a timestamp authority with --tsa URL
sign-tsa-xml-needs-xades-t = --tsa with --format xml needs --profile xades-t (the other XML profiles have no place for a timestamp)
batch-timestamp-needs-format = a timestamp needs the cms or pades format (a raw signature has no room for one)
batch-timestamp-xml-needs-xades-t = a timestamp in an XML signature needs the xades-t profile (the other XML profiles have no place for one)
batch-visible-needs-pades = a visible signature needs the pades format
batch-fields-need-pades = a reason, location or contact needs the pades format (a PDF keeps them)
verify-certified-no-changes-yet-changed = the document was certified with no changes allowed (DocMDP P=1), yet revisions were added

## kyso app (the signing page in the browser).

help-app-about = The signing page in the browser, for people who do not use a terminal: choose documents, one PIN, see them signed and verified
help-app-files = Documents to put on the page (files, or folders taken recursively)
help-app-no_open = Print the page's address (with its one-time secret) on the first line of stdout instead of opening the browser (remote desktops, tests)
help-app-port = The port on 127.0.0.1 (0: any free port)
app-opened = the signing page is open in your browser ({ $url }); keep this running while you sign, Ctrl+C ends it
app-open-yourself = no browser could be opened: open the address above in your browser
app-title = Sign documents
app-file-missing = the file is gone: it was deleted or moved since it was added
app-file-unreadable = the file cannot be read: check that you may read it
app-file-encrypted = the PDF is password-protected: open it, save a copy without a password, and add that copy
app-file-not-pdf = this is not a PDF file kyso can read (damaged, or another format named .pdf)
app-page-files = Documents
app-page-files-empty = No documents yet.
app-page-name = Name
app-page-size = Size
app-page-pages = Pages
app-page-state = State
app-page-signed-by = Signed by
app-page-unsigned = Not signed yet
app-cert-gone = the certificate chosen is no longer on a token plugged in: plug the token in again, or choose another certificate
app-pin-title = kyso — PIN
app-pin-description = Signing { $count } document(s) with the certificate of { $holder } (token '{ $token }'). Enter the token's PIN.
app-pin-cancelled = the PIN was not entered: nothing was signed
help-app-folder = Where documents added in the browser are saved, and signed next to (default $XDG_DOCUMENTS_DIR/kyso, else ~/Documents/kyso)
app-page-tab-sign = Sign
app-page-tab-verify = Check signatures
app-page-add-files = Choose files…
app-page-add-folder = Choose a folder…
app-page-drop-here = Drop files or folders here, or
app-page-cert = Certificate
app-page-certs-empty = No token found: plug in your USB token (or card); it shows here by itself.
app-page-cert-expired = Expired on
app-page-cert-not-yet-valid = Not valid before
app-page-cert-valid-until = Valid until
app-page-issuer = issued by
app-page-stamp = Signature stamp
app-page-stamp-visible = Show the signature on the page (PDF)
app-page-stamp-page = On
app-page-page-first = the first page
app-page-page-last = the last page
app-page-page-all = every page
app-page-page-this = page number
app-page-stamp-help = Drag the box with the mouse, or focus it and use the arrow keys (Shift: larger steps). kyso remembers the place.
app-page-no-preview = Add a PDF to see where the stamp goes.
app-page-sign-step = Sign
app-page-sign = Sign
app-page-cancel = Stop
app-page-pin-wait = Type your token's PIN in the PIN window (not on this page).
app-page-waiting = Waiting
app-page-signing = Signing…
app-page-signed = Signed
app-page-failed = Not signed
app-page-cancelled = Stopped: the documents signed so far are kept; the others were left as they were.
app-page-done = Done:
app-page-signed-count = signed
app-page-failed-count = not signed
app-page-pending-count = left unsigned
app-page-open-folder = Open folder
app-page-verify-drop = Drop signed files (PDF, or a file with its .p7s) here, or
app-page-verify-choose = Choose files…
app-page-v-valid = Valid
app-page-v-modified = Modified after signing
app-page-v-untrusted = Intact, but the certificate is not trusted
app-page-v-revoked = The certificate was revoked
app-page-v-invalid = Not valid
app-page-v-error = Could not be checked
app-page-v-none = This file has no signature.
app-page-signer = Signed by
app-page-time = Signing time
app-page-timestamped = Timestamped by a timestamp authority
app-page-not-timestamped = No timestamp (the time is what the signer's computer said)
app-disk-full = the disk is full: nothing was written for this document; free some space, then sign the documents left
app-not-a-file-name = '{ $name }' is not a file name
app-saving = saving { $name }
app-too-large = { $name } is larger than { $mib } MiB
app-pdftoppm-missing = pdftoppm (install poppler-utils)
app-preview-failed = cannot show page { $page } of { $file }: { $why }
app-tsa-not-http = [app] tsa = "{ $url }" in kyso.toml: expected an http:// or https:// URL
io-listening = listening on { $address }
io-temporary-folder = temporary folder

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

## kyso serve: the service's own messages (the terminal, the journal, pinentry's buttons).

pinentry-not-found = no pinentry program found: install pinentry-gnome3 (or pinentry-qt), or set [serve] pinentry in kyso.toml
pinentry-refuse = _Refuse
pinentry-pin-prompt = PIN:
pinentry-starting = starting pinentry { $program }
pinentry-refused-to-start = pinentry refused to start: { $error }
pinentry-talking = talking to pinentry
pinentry-ended = pinentry ended unexpectedly
serve-bad-origin = origin '{ $origin }': expected https://HOST[:PORT] (exactly as the browser's address bar shows the portal, no path, no wildcard)
serve-restarting = the token's module stopped answering: kyso serve restarts
serve-restart-failed = could not restart ({ $error }); exiting
serve-local-ca = local CA { $file }
serve-no-origin = no origin allowed yet: every page is refused; add the portal with --allow-origin or [serve] origins in kyso.toml
serve-allowed-origins = allowed origins: { $origins }
serve-no-port = no port to listen on
serve-refused-host = refused: Host '{ $host }' is not this computer's loopback address
serve-refused-no-host = refused: no Host header
serve-refused-origin = refused: the web page at { $origin } is not allowed to ask for signatures; to allow it, add "{ $origin }" to [serve] origins in kyso.toml or run `kyso serve --allow-origin { $origin }`
serve-refused-no-origin = refused: no Origin header (only web pages in a browser are served)
serve-refused-other-user = connection from { $peer } by another user refused
serve-refused-binary = a binary frame: the plugin takes JSON text
serve-refused-too-large = the request is too large ({ $error }); the limit is { $limit } bytes
serve-refused-not-utf8 = a text frame that is not UTF-8
serve-ca-key-readable = { $file } is readable by other users (mode { $mode }): run `chmod 600 { $file }`
serve-no-token-holds-serial = no token plugged in holds the certificate with serial { $serial }
serve-several-keys = { $count } keys could sign; choose one with `kyso serve --token LABEL --key-id ID` (or [serve] token and key_id in kyso.toml)
serve-not-signed = not signed
serve-not-signed-because = not signed: { $why }
serve-not-signed-restarting = not signed: { $why } (the token's module stopped answering: kyso serve restarts)
serve-nothing-to-sign = nothing to sign: { $why }
serve-a-hash = a { $hash } hash
serve-cancelled = the person at the computer refused to sign (cancelled)
serve-signed-not-uploaded = { $name } was signed but not uploaded: { $error }
serve-signed-not-uploaded-short = signed but not uploaded: { $error }
serve-nothing-signed = nothing signed: { $error }
serve-some-files-failed = some files were not signed or not uploaded: see Files
serve-nothing = nothing to sign
serve-refused-other-site = refused: { $url } is not on the requesting site { $origin } (files are downloaded from and uploaded to that site only)
serve-download-too-large = { $url } is larger than the { $limit } bytes kyso serve downloads
serve-upload-refused = the upload handler { $url } refused the file: { $reply }
serve-tsa-not-http = [serve] tsa = "{ $url }" in kyso.toml: expected an http:// or https:// URL
serve-tsa-not-configured = the page asks for a timestamp from { $url }; kyso serve takes timestamps only from the authority set in kyso.toml, never from a URL a page names: add [serve] tsa = "{ $url }" if you trust it

## kyso app: restarting after a token's module stopped answering
app-restarting = a token's module stopped answering: kyso app restarts itself on the same address
app-restart-failed = could not restart ({ $error }); start kyso app again
app-restarted = The token stopped answering ({ $why }), so kyso restarted itself. Documents already signed are kept; sign the others again.
app-stuck-on-stop = it did not stop when asked

## kyso app: where signed documents go
app-page-out-label = Save signed documents:
app-page-out-beside = next to each original
app-page-out-beside-button = Next to the originals
app-page-out-choose = Choose a folder…
app-page-folders-title = Where to save the signed documents
app-page-folders-up = Up one folder
app-page-folders-new = New folder
app-page-folders-none = No folders here.
app-page-folders-use = Use this folder
app-page-folders-cancel = Cancel
app-folder-not-found = { $path } is not a folder
app-folder-bad-name = “{ $name }” cannot be a folder's name: use letters, digits and spaces, without /

## kyso app: the stamp's image
app-stamp-image-name = the stamp's image
app-page-stamp-image = Image on the stamp (a scanned signature or seal, PNG):
app-page-stamp-image-choose = Choose an image…
app-page-stamp-image-remove = Remove the image
app-stamp-image-bad = This image cannot go on the stamp: { $why }. Choose a PNG file.

## kyso app: remote signing accounts ([[remote]], CSC) on the page.

app-remote-loading = asking the signing service of account { $account } for its certificates…
app-remote-unreachable = cannot reach the signing service of account { $account }: check the Internet connection, then press Try again (kyso also tries again every few minutes)
app-remote-login = account { $account } needs you to log in again: open a terminal, run kyso remote login { $account }, then press Try again
app-remote-failed = account { $account }: { $error }
app-remote-pin-description = Signing { $count } document(s) with the remote certificate of { $holder } (account '{ $account }'). Enter the PIN of this signing account.
app-otp-title = kyso — one-time code (OTP)
app-otp-description = Signing { $count } document(s) with the remote certificate of { $holder } (account '{ $account }'). Enter the one-time code (OTP) sent to your phone or shown by your authenticator app.
app-otp-prompt = OTP:
app-otp-cancelled = the one-time code (OTP) was not entered: nothing more was signed
app-page-remote = remote
app-page-remote-retry = Try again
app-page-otp-wait = Type the one-time code (OTP) in its window (not on this page).
app-page-approve-wait = Approve the signing in your signing service's app on your phone.
app-remote-cert-gone = the remote certificate chosen is no longer listed by its account: see its account's row (Try again), or choose another certificate
app-remote-none = account { $account } has no signing certificate (yet): ask your signing service provider, then press Try again

## remote credentials: PIN and OTP refusals
remote-pin-already-refused = the service already refused this PIN for '{ $credential }'; not trying it again
remote-otp-empty = the OTP is empty
remote-otp-command-failed = otp_command { $program } failed ({ $status }); no OTP sent
remote-otp-no-terminal = credential '{ $credential }' needs an OTP and there is no terminal to ask it on: set otp_command in its [[remote]]
