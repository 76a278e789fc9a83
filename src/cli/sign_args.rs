//! What `kyso sign` accepts: its formats and options, with the help that teaches them.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use kyso::batch;
use kyso::document;
use kyso::Result;

use super::pin::PinArgs;

/// Output formats of `kyso sign`.
/// `--level`: the PAdES baseline level asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    /// Signature only.
    #[value(name = "b-b")]
    BB,
    /// With a signature timestamp.
    #[value(name = "b-t")]
    BT,
    /// With a timestamp and the validation data (DSS).
    #[value(name = "b-lt")]
    BLt,
    /// B-LT and a document timestamp over everything (archive).
    #[value(name = "b-lta")]
    BLta,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The bare signature over the file (ECDSA as DER) in FILE.sig: `openssl dgst -verify`
    /// checks it.
    Raw,
    /// CAdES-B detached CMS signature in FILE.p7s (`openssl cms -verify -binary -content FILE`).
    Cms,
    /// PAdES B-B: FILE.pdf signed in FILE.signed.pdf (an incremental update; earlier
    /// signatures stay valid).
    #[value(alias = "pdf")]
    Pades,
    /// XMLDSig inside the XML file, in FILE.signed.xml (e-invoices: --profile einvoice;
    /// any XML: --profile enveloped).
    Xml,
}

/// What an XML signature signs and where it goes (`--profile`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum XmlProfile {
    /// einvoice for an e-invoice (root HDon), tax for a tax declaration (root HSoThueDTu),
    /// bhxh for a social-insurance envelope (root Hoso), enveloped for any other XML.
    Auto,
    /// E-invoice (Circular 78): HDon/DLHDon signed by its Id, the signature in
    /// HDon/DSCKS/NBan (seller) or DSCKS/NMua (buyer, --role buyer).
    Einvoice,
    /// The whole document (URI=""), the signature the root's last child.
    Enveloped,
    /// Tax declaration (HTKK): HSoThueDTu/HSoKhaiThue signed by its id, the signature in
    /// HSoThueDTu/CKyDTu.
    Tax,
    /// XAdES-BES (ETSI EN 319 132) over the whole document: signing time and certificate in
    /// signed QualifyingProperties.
    XadesBes,
    /// XAdES-T: xades-bes and a signature timestamp from --tsa (one request per document).
    XadesT,
    /// Social insurance (BHXH): the whole form signed into <root>/Cky (the envelope, root
    /// Hoso, into Hoso/CKy_Dvi).
    Bhxh,
}

/// How X509SubjectName is written (`--subject-name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum XmlSubjectName {
    /// RFC 4514: UID=MST:…,CN=…,C=VN (social insurance asks for UID=MST: in text).
    Rfc4514,
    /// As .NET senders write it: OID.0.9.2342.19200300.100.1.1=MST:…, CN=…, S=…, C=VN.
    Dotnet,
}

/// Who signs an e-invoice (`--role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum XmlRole {
    /// The seller (DSCKS/NBan).
    Seller,
    /// The buyer (DSCKS/NMua), after the seller: the seller's signature stays valid.
    Buyer,
}

impl SignArgs {
    /// The XML options `--profile` and `--role` ask for.
    pub(super) fn xml_options(&self) -> document::xml::XmlOptions {
        use document::xml::{Profile, Role, SubjectName, XmlOptions};
        XmlOptions {
            profile: match self.profile {
                XmlProfile::Auto => Profile::Auto,
                XmlProfile::Einvoice => Profile::Einvoice,
                XmlProfile::Enveloped => Profile::Enveloped,
                XmlProfile::Tax => Profile::Tax,
                XmlProfile::XadesBes => Profile::XadesBes,
                XmlProfile::XadesT => Profile::XadesT,
                XmlProfile::Bhxh => Profile::Bhxh,
            },
            role: match self.role {
                XmlRole::Seller => Role::Seller,
                XmlRole::Buyer => Role::Buyer,
            },
            algorithm: None,
            subject_name: match self.subject_name {
                XmlSubjectName::Rfc4514 => SubjectName::Rfc4514,
                XmlSubjectName::Dotnet => SubjectName::DotNet,
            },
        }
    }
}

impl Format {
    pub(super) fn to_batch(self) -> Result<batch::Format> {
        match self {
            Format::Raw => Ok(batch::Format::Raw),
            Format::Cms => Ok(batch::Format::Cms),
            Format::Pades => Ok(batch::Format::Pades),
            Format::Xml => Ok(batch::Format::Xml),
        }
    }
}

// i18n: the English of --help; help-<command>-after in i18n/ is its twin (a test checks)
const SIGN_HELP: &str = "\
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
  openssl dgst -sha256 -verify pub.pem -signature a.txt.sig a.txt";

/// Options of `kyso sign`.
#[derive(Debug, Args)]
#[command(after_help = SIGN_HELP)]
pub struct SignArgs {
    /// Signature format (default: by content, see below; `pdf` is `pades`).
    #[arg(long, value_enum)]
    pub(super) format: Option<Format>,
    /// Use this token (needed when several tokens hold keys): its label, its serial number or
    /// slot id (as `kyso tokens` shows them), or a pkcs11: URI (`pkcs11:serial=…`).
    #[arg(long, value_name = "LABEL|SERIAL|SLOT|URI")]
    pub(super) token: Option<String>,
    /// Use the key whose CKA_ID is this hex string (as `kyso certs` shows it; `1` is `01`).
    /// Without it, a token with several keys asks which (or, not on a terminal, lists them).
    #[arg(long, value_name = "HEX")]
    pub(super) key_id: Option<String>,
    /// Remember the key chosen (with --key-id, or from the list) for this token in kyso.toml:
    /// later runs without --key-id sign with it.
    #[arg(long)]
    pub(super) remember_key: bool,
    /// Sign with a certificate that has expired or is not yet valid (refused by default:
    /// such signatures are not valid; for the rare legitimate case, e.g. a test).
    #[arg(long)]
    pub(super) allow_expired: bool,
    /// Signature algorithm: rsa-pkcs1-sha256|384|512, rsa-pss-sha256|384|512, ecdsa-sha256|384
    /// (default: see below).
    #[arg(long, value_name = "NAME")]
    pub(super) algorithm: Option<String>,
    /// Write signatures into this directory instead of next to each file (created if
    /// missing).
    #[arg(long, value_name = "DIR")]
    pub(super) out_dir: Option<PathBuf>,
    /// Sign the files of directories given, and of their subdirectories.
    #[arg(long, short = 'r')]
    pub(super) recursive: bool,
    /// Sign signed PDFs found in directories too (`X.signed.pdf`, received to be
    /// countersigned); the output is `X.signed-2.pdf`.
    #[arg(long)]
    pub(super) include_signed: bool,
    /// Leave files whose output already exists (resume an interrupted batch).
    #[arg(long)]
    pub(super) skip_existing: bool,
    /// XML: write each signed file over its input (atomically: the input stays whole until
    /// the signed file, verified, replaces it), as invoicing software that watches a folder
    /// expects. Needs --format xml.
    #[arg(long, conflicts_with_all = ["out_dir", "skip_existing"])]
    pub(super) in_place: bool,
    /// Intermediate CA certificates (PEM) to put in CMS signatures after the signer's; CA
    /// certificates on the token are added too when they issue the signer's.
    #[arg(long, value_name = "PEM")]
    pub(super) chain: Option<PathBuf>,
    /// Timestamp each signature at this RFC 3161 timestamp authority (CAdES-T / PAdES B-T /
    /// XAdES-T with --profile xades-t):
    /// the token's signature is checked, then its value is sent (hashed) to the TSA. A TSA
    /// that is unreachable or answers wrongly stops the batch; nothing unstamped is written.
    #[arg(long, value_name = "URL")]
    pub(super) tsa: Option<String>,
    /// Baseline level: b-b (no timestamp), b-t (with --tsa, the default then), b-lt
    /// (b-t and a Document Security Store with the certificates, OCSP responses and CRLs of
    /// the signer's and the TSA's chains, fetched once per certificate for the whole batch:
    /// the signature stays verifiable when the CA's responders are gone; with --format cms,
    /// CAdES-LT: the same data as unsigned attributes), b-lta (PAdES: b-lt and a document
    /// timestamp over the whole file, for archives; renew it with `kyso extend`).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub(super) level: Option<Level>,
    /// Seconds to wait for the timestamp authority.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, requires = "tsa")]
    pub(super) tsa_timeout: u64,
    /// PAdES: a visible signature on page PAGE in the box X,Y,WIDTH,HEIGHT (points from the
    /// page's lower-left corner; A4 is 595×842), or at a named POSITION (top-left, top-center,
    /// top-right, bottom-left, bottom-center, bottom-right; 36 points from the edges, 220×70
    /// unless W,H follow), showing the signer's name, identity numbers and the signing time.
    /// PAGE is a number, first, last, -N (from the end) or all (the stamp on every page, one
    /// signature). A box that runs off the page is
    /// refused, with the page's size.
    #[arg(
        long,
        value_name = "PAGE,X,Y,W,H|PAGE,POSITION[,W,H]",
        allow_hyphen_values = true
    )]
    pub(super) visible: Option<String>,
    /// PAdES: why the document is signed (`/Reason`, e.g. "Phê duyệt"): shown by PDF readers
    /// and, with --visible, on the stamp.
    #[arg(long, value_name = "TEXT")]
    pub(super) reason: Option<String>,
    /// PAdES: where it is signed (`/Location`, e.g. "Hà Nội"): shown by PDF readers and, with
    /// --visible, on the stamp.
    #[arg(long, value_name = "TEXT")]
    pub(super) location: Option<String>,
    /// PAdES: how to reach the signer (`/ContactInfo`, a phone number or e-mail address).
    #[arg(long, value_name = "TEXT")]
    pub(super) contact: Option<String>,
    /// A PNG image at the left of the --visible stamp (a scanned handwritten signature, the
    /// seal); its transparency is kept.
    #[arg(long, value_name = "PNG", requires = "visible")]
    pub(super) image: Option<PathBuf>,
    /// TrueType font for --visible (needs Vietnamese glyphs).
    #[arg(long, value_name = "TTF", default_value = document::pdf::appearance::DEFAULT_FONT, requires = "visible")]
    pub(super) font: PathBuf,
    /// Language of the --visible stamp's words: vi ("Ký bởi", "Thời gian") or en ("Signed by",
    /// "Time"); the document's language, whatever --lang says.
    #[arg(long, value_name = "LANG", default_value = "vi", value_parser = ["vi", "en"], requires = "visible")]
    pub(super) stamp_lang: String,
    /// XML: what is signed and where the signature goes.
    #[arg(long, value_enum, default_value = "auto")]
    pub(super) profile: XmlProfile,
    /// XML e-invoices: who signs (the seller first, the buyer after).
    #[arg(long, value_enum, default_value = "seller")]
    pub(super) role: XmlRole,
    /// XML: how X509SubjectName is written (no verifier checks it).
    #[arg(long, value_enum, default_value = "rfc4514")]
    pub(super) subject_name: XmlSubjectName,
    #[command(flatten)]
    pub(super) pin: PinArgs,
    /// Files or directories to sign.
    #[arg(required = true, value_name = "FILE")]
    pub(super) files: Vec<PathBuf>,
}
