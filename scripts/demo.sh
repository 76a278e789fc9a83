#!/usr/bin/env bash
# kyso demo: a SoftHSM dev token; a folder of Vietnamese official letters as PDFs signed as PAdES
# with a visible stamp in one batch (one PIN entry), checked with kyso verify and pdfsig, page 1
# of one rendered to PNG; then a batch of text documents signed raw with one PIN entry per key
# and as CAdES, every signature checked independently with openssl.
#
#   bash scripts/demo.sh KYSO_BINARY          (`make demo` runs it with target/release/kyso)
#
# Everything goes into ${KYSO_DEMO_DIR:-$PWD/demo-output}, which is wiped at the start.
# Exits non-zero if anything fails to sign or to verify.
set -euo pipefail

usage() { echo "usage: bash scripts/demo.sh KYSO_BINARY   (e.g. target/release/kyso)" >&2; exit 2; }
die() { echo "demo: $*" >&2; exit 2; }

[ $# -eq 1 ] || usage
KYSO_SHOWN=$1                               # as the user typed it, for the "try next" lines
[ -x "$1" ] || die "$1 is not an executable (build it first: cargo build --release)"
KYSO=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
for t in pdfsig pdftoppm; do
    command -v $t >/dev/null || die "$t not found (apt-get install poppler-utils)"
done
command -v certutil >/dev/null || die "certutil not found (apt-get install libnss3-tools)"
# The letters are drawn with pycairo: Debian's python3 has it (python3-cairo), another python3
# on PATH (pyenv, a venv) may not.
PYTHON=
for p in /usr/bin/python3 python3; do
    if "$p" -c 'import cairo' 2>/dev/null; then PYTHON=$p; break; fi
done
[ -n "$PYTHON" ] || die "python3 with cairo not found (apt-get install python3-cairo)"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

DEMO=${KYSO_DEMO_DIR:-$PWD/demo-output}
MARKER=.kyso-demo
TOKEN_DIR=$DEMO/token
DOCS_DIR=$DEMO/documents
SIG_DIR=$DEMO/signatures
PDF_DIR=$DEMO/letters
SIGNED_DIR=$DEMO/letters-signed
STAMP=1,330,56,225,80                       # page 1, lower right: the box the letters keep free
PIN_FILE=$DEMO/pin.txt
PIN=123456                                  # the dev token's test PIN; never a real one

if [ -t 1 ]; then B=$'\e[1m'; R=$'\e[0m'; else B=; R=; fi
step=0
section() { step=$((step + 1)); printf '\n%s== %d. %s ==%s\n' "$B" "$step" "$1" "$R"; }
indent() { sed 's/^./    &/'; }
now_ms() { date +%s%3N; }
# Shows the first two "signed A -> B" lines of kyso sign and counts the rest; all else passes.
condense() {
    awk '/^signed / { if (++n <= 2) print; next }
         { if (n > 2 && !said) { printf "… and %d more\n", n - 2; said = 1 } print }
         END { if (n > 2 && !said) printf "… and %d more\n", n - 2 }'
}

cleanup() { rm -f "$PIN_FILE"; }
trap cleanup EXIT

printf '%skyso demo%s — %s\n' "$B" "$R" "$("$KYSO" --version)"
echo "demo directory: $DEMO"

# ---------------------------------------------------------------------------------------------
section "Fresh demo directory"
# Wipe only a directory this script made (it carries a marker file) or an empty one.
if [ -e "$DEMO" ]; then
    if [ -f "$DEMO/$MARKER" ] || [ -z "$(ls -A "$DEMO" 2>/dev/null)" ]; then
        rm -rf "$DEMO"
        echo "    removed the previous demo output"
    else
        die "$DEMO exists and was not made by this script; remove it or set KYSO_DEMO_DIR"
    fi
fi
mkdir -p "$DEMO" "$DOCS_DIR" "$SIG_DIR/personal" "$SIG_DIR/organisation" "$SIGNED_DIR"
echo "made by scripts/demo.sh; wiped on every run" >"$DEMO/$MARKER"
echo "    $DEMO"

# ---------------------------------------------------------------------------------------------
section "Dev token (SoftHSM): kyso dev-token --dir $TOKEN_DIR"
"$KYSO" dev-token --dir "$TOKEN_DIR" | indent
ENV_LINES=$("$KYSO" dev-token --dir "$TOKEN_DIR" --print-env)
eval "$ENV_LINES"
export SOFTHSM2_CONF KYSO_CONFIG

# ---------------------------------------------------------------------------------------------
section "kyso tokens"
"$KYSO" tokens | indent

section "kyso certs"
"$KYSO" certs | indent

# ---------------------------------------------------------------------------------------------
section "Official letters as PDF (Vietnamese, a few pages each): scripts/demo_letters.py"
"$PYTHON" "$HERE/demo_letters.py" "$PDF_DIR" | while IFS=$'\t' read -r name pages title; do
    printf '    %-30s %d pages  %s\n' "$name" "$pages" "$title"
done
PDFS=()
for f in "$PDF_DIR"/*.pdf; do PDFS+=("$f"); done
echo "    ${#PDFS[@]} letters in $PDF_DIR"

section "Sign the ${#PDFS[@]} letters as PAdES with a visible stamp: one batch, one PIN entry"
echo "    \$ kyso sign --format pades --key-id 01 --visible $STAMP --pin-file pin.txt \\"
echo "          --out-dir letters-signed letters/"
(umask 077 && printf '%s\n' "$PIN" >"$PIN_FILE")
pdf_rc=0
t0=$(now_ms)
"$KYSO" sign --format pades --key-id 01 --visible "$STAMP" --pin-file "$PIN_FILE" \
    --out-dir "$SIGNED_DIR" "$PDF_DIR" 2>&1 | sed "s|$DEMO/||g" | condense | indent || pdf_rc=$?
printf '    (%d ms)\n' $(($(now_ms) - t0))
rm -f "$PIN_FILE"

section "Verify the signed letters: kyso verify and pdfsig (poppler, trusting the test CA)"
# pdfsig validates the certificate through NSS: a database that trusts the dev token's CA.
NSSDIR=$DEMO/nssdb
mkdir -p "$NSSDIR"
certutil -N -d "sql:$NSSDIR" --empty-password
certutil -A -d "sql:$NSSDIR" -n "kyso test CA" -t "CT,C,C" -i "$TOKEN_DIR/ca.pem"
pdf_ok=0
pdf_failed=0
printf '    %-38s  %-12s  %s\n' "signed letter" "kyso verify" "pdfsig"
for f in "${PDFS[@]}"; do
    signed=$SIGNED_DIR/$(basename "${f%.pdf}").signed.pdf
    kv=FAILED
    ps=FAILED
    if [ -f "$signed" ] && "$KYSO" verify --trust "$TOKEN_DIR/ca.pem" --offline "$signed" >/dev/null 2>&1; then
        kv=VALID
    fi
    if [ -f "$signed" ] && out=$(pdfsig -nssdir "sql:$NSSDIR" "$signed" 2>&1) \
        && grep -q "Signature Validation: Signature is Valid." <<<"$out" \
        && grep -q "Certificate Validation: Certificate is Trusted." <<<"$out"; then
        ps="valid, trusted"
    fi
    if [ "$kv" = VALID ] && [ "$ps" = "valid, trusted" ]; then
        pdf_ok=$((pdf_ok + 1))
    else
        pdf_failed=$((pdf_failed + 1))
    fi
    printf '    %-38s  %-12s  %s\n' "$(basename "$signed")" "$kv" "$ps"
done
if [ "$pdf_rc" -ne 0 ]; then pdf_failed=$((pdf_failed + 1)); fi

section "See the stamp: page 1 of a signed letter as PNG (pdftoppm)"
FIRST=$SIGNED_DIR/quyet-dinh-123-QD-UBND.signed.pdf
PNG=$DEMO/$(basename "${FIRST%.pdf}")-page1.png
png_ok=0
if [ -f "$FIRST" ] && pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$FIRST" "${PNG%.png}" && [ -s "$PNG" ]; then
    png_ok=1
    echo "    $PNG"
else
    echo "    FAILED: no PNG of $FIRST"
fi

# ---------------------------------------------------------------------------------------------
section "Sample documents"

# make_doc FILE "DOCUMENT TYPE" "Số: …" "subject" ARTICLES
make_doc() {
    local file=$1 kind=$2 number=$3 subject=$4 articles=$5 i
    {
        printf 'ỦY BAN NHÂN DÂN                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n'
        printf 'THÀNH PHỐ HÀ NỘI                           Độc lập - Tự do - Hạnh phúc\n'
        printf '%s                            Hà Nội, ngày 15 tháng 3 năm 2025\n\n' "$number"
        printf '%s\n%s\n\n' "$kind" "$subject"
        printf 'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;\n'
        printf 'Căn cứ Luật Giao dịch điện tử ngày 22 tháng 6 năm 2023;\n'
        printf 'Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;\n'
        printf 'Xét đề nghị của Chánh Văn phòng Ủy ban nhân dân Thành phố.\n\n'
        for ((i = 1; i <= articles; i++)); do
            printf 'Điều %d. ' "$i"
            printf 'Giao các sở, ban, ngành và Ủy ban nhân dân các quận, huyện, thị xã tổ chức thực hiện '
            printf 'nội dung nêu tại văn bản này theo đúng chức năng, nhiệm vụ được giao; định kỳ hằng quý '
            printf 'báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân Thành phố trước ngày 20 của tháng '
            printf 'cuối quý để tổng hợp, báo cáo Chủ tịch Ủy ban nhân dân Thành phố (mục %d).\n\n' "$i"
        done
        printf 'Nơi nhận:                                       TM. ỦY BAN NHÂN DÂN\n'
        printf -- '- Như Điều %d;                                      CHỦ TỊCH\n' "$articles"
        printf -- '- Lưu: VT.                                   (đã ký số) NGUYỄN VĂN AN\n'
    } >"$DOCS_DIR/$file"
}

declare -A TITLE
doc() { TITLE[$1]="$2 số ${3#Số: }"; make_doc "$@"; }
doc quyet-dinh-123-QD-UBND.txt "QUYẾT ĐỊNH" "Số: 123/QĐ-UBND" \
    "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2025" 6
doc cong-van-456-UBND-VP.txt "CÔNG VĂN" "Số: 456/UBND-VP" \
    "V/v triển khai sử dụng chữ ký số chuyên dùng công vụ" 4
doc to-trinh-78-TTr-STC.txt "TỜ TRÌNH" "Số: 78/TTr-STC" \
    "Về việc bổ sung dự toán ngân sách năm 2025" 5
doc thong-bao-15-TB-UBND.txt "THÔNG BÁO" "Số: 15/TB-UBND" \
    "Kết luận của Chủ tịch UBND Thành phố tại cuộc họp giao ban" 3
doc ke-hoach-09-KH-UBND.txt "KẾ HOẠCH" "Số: 09/KH-UBND" \
    "Triển khai Đề án 06 về dữ liệu dân cư, định danh và xác thực điện tử" 8
doc bao-cao-112-BC-UBND.txt "BÁO CÁO" "Số: 112/BC-UBND" \
    "Tình hình kinh tế - xã hội quý I năm 2025" 10
doc giay-moi-21-GM-UBND.txt "GIẤY MỜI" "Số: 21/GM-UBND" \
    "Dự hội nghị tập huấn sử dụng chứng thư số" 2
doc bien-ban-03-BB-HDND.txt "BIÊN BẢN" "Số: 03/BB-HĐND" \
    "Kỳ họp thứ mười hai Hội đồng nhân dân Thành phố khóa XVI" 7
doc hop-dong-2025-HDKT.txt "HỢP ĐỒNG KINH TẾ" "Số: 2025/HĐKT" \
    "Cung cấp dịch vụ chứng thực chữ ký số công cộng" 9
doc chi-thi-04-CT-UBND.txt "CHỈ THỊ" "Số: 04/CT-UBND" \
    "Về tăng cường bảo đảm an toàn thông tin mạng" 5

# One larger file (~5 MB): a register of outgoing documents, one line per entry.
LARGE=so-dang-ky-van-ban-di-2025.txt
TITLE[$LARGE]="SỔ ĐĂNG KÝ VĂN BẢN ĐI năm 2025"
awk 'BEGIN {
    print "SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM 2025 — VĂN PHÒNG ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI"
    for (i = 1; i <= 36000; i++)
        printf "%06d | %02d/%02d/2025 | Số %d/UBND-VP | Về việc xử lý hồ sơ hành chính số HS-%07d | Nơi nhận: Sở, ngành liên quan\n",
            i, i % 28 + 1, i % 12 + 1, i, i * 7
}' >"$DOCS_DIR/$LARGE"

DOCS=()
for f in "$DOCS_DIR"/*.txt; do DOCS+=("$f"); done
for f in "${DOCS[@]}"; do
    printf '    %-34s %9s bytes   %s\n' "$(basename "$f")" "$(wc -c <"$f")" "${TITLE[$(basename "$f")]}"
done
echo "    ${#DOCS[@]} documents in $DOCS_DIR"

# ---------------------------------------------------------------------------------------------
# sign_batch KEY_ID LABEL ALGORITHM: one `kyso sign` run, so one login (one PIN entry) per batch.
sign_failures=0
sign_batch() {
    local id=$1 label=$2 alg=$3 t0 t1 rc=0
    section "Sign ${#DOCS[@]} documents with key $id ($label, $alg): one PIN entry"
    echo "    \$ kyso sign --format raw --key-id $id --algorithm $alg --pin-file pin.txt \\"
    echo "          --out-dir signatures/$label documents/*.txt"
    t0=$(now_ms)
    "$KYSO" sign --format raw --key-id "$id" --algorithm "$alg" --pin-file "$PIN_FILE" \
        --out-dir "$SIG_DIR/$label" "${DOCS[@]}" 2>&1 | sed "s|$DEMO/||g" | condense | indent || rc=$?
    t1=$(now_ms)
    if [ "$rc" -ne 0 ]; then
        echo "    kyso sign exited with $rc"
        sign_failures=$((sign_failures + 1))
    fi
    printf '    (%d ms, including the ~5 MB file)\n' $((t1 - t0))
}

# The PIN goes through a 0600 file, never the command line; deleted once both batches are done.
(umask 077 && printf '%s\n' "$PIN" >"$PIN_FILE")
sign_batch 01 personal rsa-pkcs1-sha256
sign_batch 02 organisation ecdsa-sha256
echo
echo "    PIN file pin.txt (mode 0$(stat -c %a "$PIN_FILE")) deleted"
rm -f "$PIN_FILE"

# ---------------------------------------------------------------------------------------------
section "Verify every signature independently: openssl dgst -sha256 -verify <label>.pub.pem"
verified=0
failed=0
printf '    %-34s  %-20s  %s\n' "document" "01 personal (RSA)" "02 organisation (ECDSA)"
for f in "${DOCS[@]}"; do
    name=$(basename "$f")
    line=$(printf '    %-34s' "$name")
    for label in personal organisation; do
        sig=$SIG_DIR/$label/$name.sig
        if [ -f "$sig" ] && out=$(openssl dgst -sha256 -verify "$TOKEN_DIR/$label.pub.pem" \
            -signature "$sig" "$f" 2>&1) && [ "$out" = "Verified OK" ]; then
            verified=$((verified + 1))
            result="Verified OK"
        else
            failed=$((failed + 1))
            if [ -f "$sig" ]; then result="FAILED"; else result="FAILED (no .sig)"; fi
        fi
        line+=$(printf '  %-20s' "$result")
    done
    echo "${line%"${line##*[! ]}"}"
done

# ---------------------------------------------------------------------------------------------
section "Certificates: chain to the test CA, public keys, and what the token holds"
cert_failures=0
token_certs=$("$KYSO" --json certs)
for label in personal organisation; do
    pem=$TOKEN_DIR/$label.pem
    # 1. chains to the CA
    if out=$(openssl verify -CAfile "$TOKEN_DIR/ca.pem" "$pem" 2>&1); then
        echo "    openssl verify -CAfile ca.pem $label.pem: OK"
    else
        echo "    openssl verify -CAfile ca.pem $label.pem: FAILED"
        echo "$out" | indent | indent
        cert_failures=$((cert_failures + 1))
    fi
    # 2. the public key used above is the certificate's
    if [ "$(openssl x509 -in "$pem" -noout -pubkey)" = "$(cat "$TOKEN_DIR/$label.pub.pem")" ]; then
        echo "    $label.pub.pem is the public key of $label.pem: OK"
    else
        echo "    $label.pub.pem is the public key of $label.pem: FAILED"
        cert_failures=$((cert_failures + 1))
    fi
    # 3. the certificate file is the one stored on the token (SHA-256 fingerprint)
    fp=$(openssl x509 -in "$pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
    if grep -q "\"sha256\": \"$fp\"" <<<"$token_certs"; then
        echo "    $label.pem is on the token (sha256 ${fp:0:16}…): OK"
    else
        echo "    $label.pem is on the token: FAILED (fingerprint $fp not in kyso certs)"
        cert_failures=$((cert_failures + 1))
    fi
done

# ---------------------------------------------------------------------------------------------
section "Documents as CAdES (CMS) signatures: kyso sign --format cms, then openssl cms and kyso verify"
(umask 077 && printf '%s\n' "$PIN" >"$PIN_FILE")
echo "    \$ kyso sign --format cms --key-id 01 --pin-file pin.txt documents/*.txt   # FILE.p7s beside each"
cms_rc=0
"$KYSO" sign --format cms --key-id 01 --pin-file "$PIN_FILE" "${DOCS[@]}" 2>&1 \
    | sed "s|$DEMO/||g" | condense | indent || cms_rc=$?
rm -f "$PIN_FILE"
cms_ok=0
cms_failed=0
for f in "${DOCS[@]}"; do
    p7s=$f.p7s
    if openssl cms -verify -binary -inform DER -in "$p7s" -content "$f" -CAfile "$TOKEN_DIR/ca.pem" \
        -out /dev/null 2>/dev/null \
        && "$KYSO" verify --trust "$TOKEN_DIR/ca.pem" --offline "$f" >/dev/null 2>&1; then
        cms_ok=$((cms_ok + 1))
    else
        cms_failed=$((cms_failed + 1))
        echo "    FAILED: $(basename "$p7s")"
    fi
done
echo "    $cms_ok of ${#DOCS[@]} CMS signatures accepted by both openssl cms -verify and kyso verify"
if [ "$cms_rc" -ne 0 ]; then cms_failed=$((cms_failed + 1)); fi

# ---------------------------------------------------------------------------------------------
section "Summary"
# Paths relative to where the demo was started, when they are below it (shorter to copy).
show() { case $1 in "$PWD"/*) echo "${1#"$PWD"/}" ;; *) echo "$1" ;; esac; }
D=$(show "$DOCS_DIR") S=$(show "$SIG_DIR") T=$(show "$TOKEN_DIR")
total=$((2 * ${#DOCS[@]}))
nsig=$(find "$SIG_DIR" -name '*.sig' | wc -l)
P=$(show "$SIGNED_DIR")
echo "    PDF letters   $pdf_ok of ${#PDFS[@]} signed as PAdES with a visible stamp (one PIN entry), verified by kyso verify and pdfsig"
echo "    stamp         $(show "$PNG")"
echo "    documents     ${#DOCS[@]} in $D"
echo "    signed        $nsig of $total (key 01 RSA-2048 and key 02 EC P-256, one PIN entry each)"
echo "    verified      $verified of $total with openssl, $failed failed"
echo "    certificates  2 chain to the test CA, match their public keys and the token ($cert_failures of 6 checks failed)"
echo "    CAdES (CMS)   $cms_ok of ${#DOCS[@]} verified by openssl cms and kyso verify (RSA-PSS, key 01)"
echo
echo "    signed PDFs   $P/*.signed.pdf"
echo "    signatures    $S/{personal,organisation}/*.sig, CMS in $D/*.p7s"
echo "    certificates  $T/{personal,organisation}.pem, public keys *.pub.pem"
echo "    test CA       $T/ca.pem"
echo "    token         $T/tokens (SoftHSM, label kyso-dev, PIN $PIN)"
echo
echo "    Try next:"
echo "$ENV_LINES" | indent | indent
echo "        $KYSO_SHOWN certs"
echo "        $KYSO_SHOWN sign --key-id 01 $D/quyet-dinh-123-QD-UBND.txt   # asks the PIN: $PIN"
echo "        $KYSO_SHOWN verify --trust $T/ca.pem --offline $P/quyet-dinh-123-QD-UBND.signed.pdf"
echo "        openssl dgst -sha256 -verify $T/personal.pub.pem \\"
echo "            -signature $D/quyet-dinh-123-QD-UBND.txt.sig $D/quyet-dinh-123-QD-UBND.txt"
echo
echo "    More: the README's \"Using the kyso command\" goes on from here, with copies of these documents."
echo

if [ "$sign_failures" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$cert_failures" -ne 0 ] || [ "$nsig" -ne "$total" ] || [ "$cms_failed" -ne 0 ] \
    || [ "$pdf_failed" -ne 0 ] || [ "$pdf_ok" -ne "${#PDFS[@]}" ] || [ "$png_ok" -ne 1 ]; then
    echo "${B}DEMO FAILED${R}: $sign_failures signing run(s) failed, $failed signature(s) and $cert_failures certificate check(s) did not verify, $pdf_failed PDF check(s) failed, PNG: $png_ok" >&2
    exit 1
fi
echo "${B}DEMO OK${R}: $pdf_ok PDF letters signed with a visible stamp ($(show "$PNG")), $verified raw and $cms_ok CMS signatures made on the token, all verified independently"
