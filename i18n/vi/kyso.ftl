# Thông báo của kyso bằng tiếng Việt. Mỗi thông báo ở đây có bản tiếng Anh trong ../en/kyso.ftl
# với cùng các tham số (có bài kiểm tra). Thuật ngữ theo văn bản pháp luật về chữ ký số: chữ ký
# số, chứng thư số, thiết bị ký số (token), mã PIN, tổ chức cung cấp dịch vụ chứng thực chữ ký
# số, dấu thời gian, thu hồi, hết hạn, căn cước công dân (CCCD), mã số thuế (MST).

## Lỗi: error-<mã>, mã là tên cố định của lỗi (`kyso --json` trả về mã này).

error-module-load = không nạp được mô-đun PKCS#11 { $path }: { $message } (hãy kiểm tra đường dẫn, và mô-đun có đúng kiến trúc của máy này không)
error-module-init = mô-đun PKCS#11 { $path } không khởi động được: C_Initialize trả về { $rv }; hãy kiểm tra những gì mô-đun cần (dịch vụ, đầu đọc thẻ hoặc cấu hình của nó), hoặc bỏ nó khỏi kyso.toml
error-module-broken = mô-đun PKCS#11 { $path } bị lỗi: { $function } { $message }; hãy cập nhật mô-đun hoặc bỏ nó khỏi kyso.toml
error-wrong-pin = sai mã PIN: { $retries }; kyso không tự thử lại, hãy kiểm tra mã PIN rồi chạy lại
pin-retries-unknown = thiết bị ký số không cho biết còn bao nhiêu lần thử
pin-retries-low = chỉ còn ít lần thử trước khi thiết bị ký số bị khóa
pin-retries-final-try = chỉ còn MỘT lần thử: nhập sai thêm một lần nữa, thiết bị ký số sẽ bị khóa
error-pin-locked = mã PIN của thiết bị ký số '{ $token }' đã bị khóa: hãy mở khóa bằng mã PIN quản trị (SO PIN) hoặc liên hệ tổ chức cung cấp dịch vụ chứng thực chữ ký số của bạn
error-pin-expired = mã PIN của thiết bị ký số '{ $token }' đã hết hạn: hãy đổi mã PIN bằng công cụ của nhà cung cấp trước
error-pin-invalid = mã PIN không hợp lệ: { $detail }
error-not-logged-in = chưa đăng nhập thiết bị ký số '{ $token }': cần nhập mã PIN
error-token-removed = không có thiết bị ký số hoặc thiết bị đã bị rút ra{ $slot }: hãy cắm lại rồi chạy lại
error-token-not-found = không tìm thấy thiết bị ký số khớp với { $detail }
error-token-not-found-plug-in = không tìm thấy thiết bị ký số: hãy cắm thiết bị ký số (hoặc thẻ) vào — `kyso doctor` kiểm tra từng bước
error-key-not-found = không tìm thấy khóa: { $detail }
error-certificate-not-found = không tìm thấy chứng thư số: { $detail }
error-certificate-not-valid = { $detail }: chữ ký số tạo bằng chứng thư số này sẽ không hợp lệ; hãy gia hạn chứng thư số với tổ chức cung cấp dịch vụ chứng thực chữ ký số (nếu vẫn cần ký, ví dụ ký lại để thử nghiệm, dùng --allow-expired)
error-ambiguous = { $detail }
error-mechanism-not-supported = thiết bị ký số '{ $token }' không hỗ trợ cơ chế: { $what }
error-certificate = chứng thư số bị hỏng: { $detail }
error-signature-check = chữ ký do thiết bị ký số tạo ra không khớp với chứng thư số '{ $certificate }': khóa và chứng thư số không tương ứng, hoặc thiết bị bị lỗi; không có gì được ghi
error-config = cấu hình { $path }: { $message }
error-invalid-input = { $detail }
error-input-not-found = { $name }: không tìm thấy tệp
error-pkcs11 = PKCS#11 { $function } thất bại: { $rv }
error-pcsc-unavailable = không kết nối được dịch vụ PC/SC (pcscd): { $detail }; hãy cài pcscd và khởi động nó (`systemctl start pcscd.socket`, hoặc chạy `pcscd`)
error-pcsc = PC/SC { $function } thất bại: { $message }
error-document = { $detail }
error-pdf-encrypted = kyso không ký được tệp PDF đã mã hóa
error-pdf-certified-no-changes = tệp PDF đã được chứng nhận và không cho phép thay đổi (DocMDP P=1): thêm chữ ký mới sẽ làm mất hiệu lực chứng nhận; không có gì được ghi cho tệp này: hãy xin tác giả một bản chứng nhận cho phép ký (P=2)
error-pdf-certified-no-new-visible-field = tệp PDF đã được chứng nhận (DocMDP P={ $permission }): chứng nhận cho phép ký, nhưng không cho phép thêm ô chữ ký hiển thị vào trang; không có gì được ghi cho tệp này: hãy ký mà không dùng --visible (chữ ký ẩn giữ nguyên hiệu lực chứng nhận)
error-remote-unreachable = không kết nối được dịch vụ ký số từ xa { $server }: { $message }; hãy kiểm tra mạng và base_url trong kyso.toml rồi chạy lại
error-remote-login = chưa đăng nhập tài khoản ký số từ xa '{ $account }' ({ $message }): hãy chạy `kyso remote login { $account }`
error-remote-authorization-refused = dịch vụ ký số từ xa từ chối { $what } của chứng thư '{ $credential }': { $server_says }; kyso không tự thử lại, hãy kiểm tra rồi chạy lại
error-remote-authorization-expired = ủy quyền ký cho chứng thư '{ $credential }' không còn hiệu lực ({ $message }); đã tạo { $signed } chữ ký bằng ủy quyền này: hãy chạy lại để ủy quyền cho phần còn lại
error-remote-credential-disabled = chứng thư ký số từ xa '{ $credential }' không ký được: { $message }; hãy liên hệ nhà cung cấp dịch vụ ký số của bạn
error-remote = dịch vụ ký số từ xa { $server }: { $message }
error-network = mạng: { $url }: { $failure }
network-http-status = mã trạng thái HTTP { $status }
error-timestamp = máy chủ dấu thời gian { $detail }; không có gì được ghi cho tệp này
error-io = { $context }: { $source }

## Ký nhiều tệp một lần (kyso sign).

batch-signed-line = đã ký { $file } -> { $output } ({ $format })
batch-summary = { $signed } đã ký, { $skipped } bỏ qua (đã ký trước đó), { $failed } lỗi; ký bằng { $algorithm } ({ $signer }, khóa { $key } trên thiết bị ký số '{ $token }')
batch-summary-unsigned = { $signed } đã ký, { $skipped } bỏ qua (đã ký trước đó), { $failed } lỗi: không có gì để ký nên không hỏi mã PIN
batch-failed-line = {"  "}lỗi: { $what }
batch-failed-live = LỖI { $what }
batch-stopped = dừng ký: { $why }; { $count } tệp chưa được ký (hãy chạy lại với --skip-existing)
batch-cancelled = đã hủy: { $count } tệp chưa được ký; mọi tệp được liệt kê là đã ký đều nguyên vẹn (hãy chạy lại với --skip-existing để ký phần còn lại)
batch-removed-hung = { $removed } (mô-đun của thiết bị ký số không phản hồi sau khi thiết bị bị rút ra)
batch-removed-summary = { $signed } đã ký; dừng ký: { $why }; hãy chạy lại với --skip-existing
batch-interrupted = đang dừng sau chữ ký đang tạo; các tệp đã ký xong được giữ lại (nhấn Ctrl-C lần nữa để dừng ngay)
batch-interrupted-again = đã dừng ngay; các tệp đang ghi dở đã được xóa
progress-signed = đã ký
progress-eta = còn

## --help

clap-usage = Cách dùng:
clap-commands = Lệnh
clap-options = Tùy chọn
clap-arguments = Tham số
help-about = kyso — ký số tài liệu bằng thiết bị ký số USB (token), thẻ thông minh và SoftHSM, ký nhiều tệp với một lần nhập mã PIN.
help-modules = Mô-đun PKCS#11 cần nạp (lặp lại để nạp nhiều mô-đun); thay cho các mô-đun trong kyso.toml
help-config = Tệp cấu hình (thay cho $KYSO_CONFIG và các vị trí mặc định)
help-json = In kết quả dạng JSON cho chương trình xử lý, thay cho văn bản
help-verbose = Ghi thêm nhật ký ra stderr (-v thông tin, -vv gỡ lỗi; KYSO_LOG_LEVEL=kyso=trace và các bộ lọc env_logger khác để xem chi tiết hơn). Mã PIN không bao giờ được ghi
help-lang = Ngôn ngữ của thông báo: vi (Tiếng Việt) hoặc en (English) [mặc định: theo LC_ALL, LC_MESSAGES hoặc LANG]
help-modules-about = Liệt kê các mô-đun PKCS#11 đã nạp, thông tin thư viện của chúng, hoặc lý do một mô-đun không nạp được
help-tokens-about = Liệt kê thiết bị ký số: khe (slot), nhãn, nhà sản xuất, kiểu, số sê-ri và trạng thái mã PIN
help-tokens-token = Chỉ thiết bị ký số này: nhãn, số sê-ri, mã khe (slot id) hoặc một URI pkcs11:
help-certs-about = Liệt kê chứng thư số trên các thiết bị ký số, kèm định danh của chủ thể (CCCD, MST…)
help-certs-token = Chỉ thiết bị ký số này: nhãn, số sê-ri, mã khe (slot id) hoặc một URI pkcs11:
help-certs-login = Đăng nhập trước, để thấy chính xác các khóa bí mật bị ẩn trước khi đăng nhập (hỏi mã PIN)
help-pin_file = Đọc mã PIN từ tệp này (dòng đầu tiên; chỉ cho chủ tệp đọc, quyền 0600)
help-pin_fd = Đọc mã PIN từ bộ mô tả tệp đang mở này (ví dụ `--pin-fd 3 3<pin.txt`)
help-pin_env = Đọc mã PIN từ biến môi trường có TÊN này (truyền tên biến, không phải mã PIN)
help-sign-about = Ký các tệp với một lần đăng nhập: FILE.sig (raw), FILE.p7s (CMS/CAdES) hoặc FILE.signed.pdf (PAdES) cạnh mỗi tệp
help-sign-format = Định dạng chữ ký (mặc định: theo nội dung tệp, xem bên dưới; `pdf` là `pades`)
help-sign-token = Dùng thiết bị ký số này (cần khi nhiều thiết bị có khóa): nhãn, số sê-ri hoặc mã khe (như `kyso tokens` hiển thị), hoặc một URI pkcs11: (`pkcs11:serial=…`)
help-sign-key_id = Dùng khóa có CKA_ID là chuỗi hex này (như `kyso certs` hiển thị; `1` là `01`). Không có tùy chọn này, thiết bị có nhiều khóa sẽ hỏi chọn khóa nào (hoặc, khi không chạy trên terminal, liệt kê các khóa)
help-sign-remember_key = Ghi nhớ khóa đã chọn (bằng --key-id hoặc từ danh sách) cho thiết bị ký số này trong kyso.toml: những lần sau không cần --key-id
help-sign-allow_expired = Ký bằng chứng thư số đã hết hạn hoặc chưa có hiệu lực (mặc định bị từ chối: chữ ký như vậy không hợp lệ; chỉ dùng cho trường hợp đặc biệt, ví dụ thử nghiệm)
help-sign-algorithm = Thuật toán ký: rsa-pkcs1-sha256|384|512, rsa-pss-sha256|384|512, ecdsa-sha256|384 (mặc định: xem bên dưới)
help-sign-out_dir = Ghi chữ ký vào thư mục này thay vì cạnh mỗi tệp (tạo thư mục nếu chưa có)
help-sign-recursive = Ký các tệp trong các thư mục đã cho, kể cả thư mục con
help-sign-include_signed = Ký cả các tệp PDF đã ký có trong thư mục (`X.signed.pdf`, nhận về để ký tiếp); tệp kết quả là `X.signed-2.pdf`
help-sign-skip_existing = Bỏ qua các tệp đã có tệp kết quả (tiếp tục một lượt ký bị gián đoạn)
help-sign-chain = Chứng thư số CA trung gian (PEM) đưa vào chữ ký CMS sau chứng thư của người ký; chứng thư CA có trên thiết bị ký số cũng được thêm nếu chúng cấp chứng thư của người ký
help-sign-tsa = Gắn dấu thời gian cho mỗi chữ ký tại máy chủ dấu thời gian RFC 3161 này (CAdES-T / PAdES B-T / XAdES-T với --profile xades-t): chữ ký của thiết bị được kiểm tra, rồi giá trị của nó (đã băm) được gửi tới máy chủ. Máy chủ không kết nối được hoặc trả lời sai sẽ dừng lượt ký; không tệp nào thiếu dấu thời gian được ghi
help-sign-tsa_timeout = Số giây chờ máy chủ dấu thời gian
help-sign-visible = PAdES: chữ ký hiển thị trên trang PAGE trong khung X,Y,RỘNG,CAO (đơn vị point tính từ góc dưới bên trái của trang; khổ A4 là 595×842), hoặc tại vị trí có tên (top-left, top-center, top-right, bottom-left, bottom-center, bottom-right; cách mép 36 point, cỡ 220×70 nếu không ghi W,H), hiện tên người ký, số định danh và thời gian ký. PAGE là số trang, first, last, -N (đếm từ cuối) hoặc all (con dấu trên mọi trang, một chữ ký). Khung tràn ra ngoài trang bị từ chối, kèm kích thước trang
help-sign-reason = PAdES: lý do ký (`/Reason`, ví dụ "Phê duyệt"): trình đọc PDF hiển thị và, với --visible, in trên con dấu
help-sign-location = PAdES: nơi ký (`/Location`, ví dụ "Hà Nội"): trình đọc PDF hiển thị và, với --visible, in trên con dấu
help-sign-contact = PAdES: cách liên hệ người ký (`/ContactInfo`, số điện thoại hoặc địa chỉ thư điện tử)
help-sign-image = Ảnh PNG đặt bên trái con dấu --visible (chữ ký tay đã quét, con dấu); giữ nguyên độ trong suốt
help-sign-font = Phông chữ TrueType cho --visible (cần có đủ dấu tiếng Việt)
help-sign-files = Các tệp hoặc thư mục cần ký
help-verify-about = Kiểm tra chữ ký số: tính toàn vẹn, người ký và định danh, thời gian ký, chuỗi chứng thư tới các CA tin cậy (--trust)
help-verify-trust = CA tin cậy: tệp PEM chứa chứng thư số CA (lặp lại để thêm nhiều tệp)
help-verify-offline = Không hỏi máy chủ OCSP hay tải CRL; kết quả ghi rõ tình trạng thu hồi chưa được kiểm tra
help-verify-content = Tài liệu đã ký, khi tên của nó không phải là tên tệp chữ ký bỏ `.p7s` (khi đó chỉ đưa đúng một tệp chữ ký)
help-verify-recursive = Với thư mục: kiểm tra cả các thư mục con
help-verify-files = Các tệp đã ký (hoặc chữ ký .p7s của chúng), tệp PDF đã ký, hoặc thư mục chứa chúng
help-dev-token-about = Tạo (hoặc dùng lại) một thiết bị ký số SoftHSM với chứng thư số thử nghiệm kiểu Việt Nam
help-dev-token-dir = Thư mục chứa thiết bị, CA của nó và kyso.toml [mặc định: ~/.local/share/kyso/dev-token]
help-dev-token-print_env = Chỉ in các dòng `export …` cho `eval` (SOFTHSM2_CONF, KYSO_CONFIG)
help-dev-token-softhsm = Mô-đun PKCS#11 của SoftHSM, khi không nằm ở vị trí thông thường
help-devices-about = Đầu đọc thẻ, thẻ và thiết bị ký số USB: chúng là gì và mô-đun nào điều khiển chúng
help-devices-watch = Sau khi liệt kê, in các sự kiện đầu đọc và thẻ khi chúng xảy ra (mỗi dòng một đối tượng JSON với --json) cho tới khi bị ngắt
help-devices-watch_for = Với --watch: dừng sau số giây này
help-doctor-about = Kiểm tra mọi bước từ thiết bị ký số đã cắm tới chữ ký, và chỉ ra cần sửa gì
help-doctor-login = Đăng nhập từng thiết bị ký số (hỏi mã PIN như `kyso sign`) để thấy các khóa bí mật chỉ hiện sau khi đăng nhập
help-remote-about = Tài khoản ký số từ xa (Cloud Signature Consortium API): đăng nhập, liệt kê, đăng xuất
help-remote-login-about = Lấy mã truy cập cho một tài khoản ([[remote]] trong kyso.toml) và lưu lại (tệp quyền 0600)
help-remote-login-name = Tài khoản (`name` của [[remote]] tương ứng); không bắt buộc khi chỉ có một tài khoản
help-remote-login-wait = Số giây chờ trình duyệt (đăng nhập bằng mã ủy quyền)
help-remote-list-about = Các tài khoản, dịch vụ và chứng thư của chúng (chứng thư số, khóa, PIN/OTP, số chữ ký mỗi lần ủy quyền)
help-remote-list-name = Chỉ tài khoản này
help-remote-logout-about = Xóa mã truy cập của tài khoản
help-remote-logout-name = Tài khoản
help-udev-rules-about = In các quy tắc udev tạo từ danh mục thiết bị ký số (udev/70-kyso-tokens.rules)
help-register-about = Cho Firefox, Thunderbird, Chromium/Chrome/Edge, LibreOffice và p11-kit nạp mô-đun PKCS#11 của kyso (libkyso_pkcs11.so); --remove để gỡ
help-register-dry_run = Cho biết những gì sẽ thay đổi, không thay đổi gì
help-register-remove = Gỡ đăng ký mô-đun của kyso khỏi mọi nơi
help-register-module_path = Mô-đun cần đăng ký (mặc định: libkyso_pkcs11.so cạnh tệp chạy kyso, hoặc trong thư mục lib của nơi cài đặt, hoặc trong lib/x86_64-linux-gnu/pkcs11 như gói Debian cài)
help-register-system = Cho cả máy: tệp mô-đun p11-kit /etc/pkcs11/modules/kyso.module (chạy với quyền root), thay cho trình duyệt của người dùng và ~/.config/pkcs11/modules/kyso.module
help-register-force = Thay đổi cả hồ sơ của Firefox hoặc Thunderbird đang chạy, và cơ sở dữ liệu của người dùng khác (không khuyến nghị: hãy đóng ứng dụng)
clap-help-command = In hướng dẫn này hoặc hướng dẫn của lệnh con đã cho
clap-help-flag = In hướng dẫn
clap-version-flag = In phiên bản
help-sign-format-values = raw: chữ ký trần trên tệp (FILE.sig); cms: chữ ký CMS tách rời CAdES-B (FILE.p7s); pades: PAdES B-B trong FILE.signed.pdf (cập nhật gia tăng; các chữ ký trước vẫn hợp lệ); xml: chữ ký XMLDSig bên trong tệp XML, ghi vào FILE.signed.xml

## Liệt kê mô-đun, thiết bị ký số và chứng thư số.

modules-not-loaded = KHÔNG NẠP ĐƯỢC
word-module = mô-đun
word-slot = khe
word-serial = số sê-ri
token-pin-not-initialised = mã PIN chưa được khởi tạo
token-pin-locked = MÃ PIN ĐÃ BỊ KHÓA
token-pin-final-try = lần thử mã PIN cuối cùng
token-pin-count-low = đã từng nhập sai mã PIN
token-pin-to-be-changed = phải đổi mã PIN
token-pin-pad = nhập mã PIN trên bàn phím của thiết bị
token-pin-ok = mã PIN bình thường
certs-not-read = thiết bị ký số '{ $token }': không đọc được chứng thư số: { $error }
certs-none = không tìm thấy chứng thư số nào
certs-key-hidden = khóa bí mật chưa hiện trước khi đăng nhập: `kyso certs --login` sẽ kiểm tra
certs-no-key = không có khóa bí mật
certs-expired = ĐÃ HẾT HẠN
certs-not-yet-valid = CHƯA CÓ HIỆU LỰC
field-subject = chủ thể
field-identity = định danh
field-issuer = nơi cấp
field-serial = số sê-ri
field-valid = hiệu lực
field-key = khóa
pin-prompt = Mã PIN của thiết bị ký số '{ $token }':{" "}
modules-slots = { $count } khe

## kyso doctor

doctor-register-fix = hãy chạy `kyso register` (đóng Firefox và Thunderbird trước), rồi khởi động lại trình duyệt
doctor-no-reader-fix = hãy cắm thiết bị ký số (hoặc đầu đọc thẻ); nếu đã cắm, hãy kiểm tra libccid đã được cài (sudo apt-get install libccid) và `lsusb` có liệt kê thiết bị
doctor-atr-fix = hãy khai báo đường dẫn mô-đun PKCS#11 của thiết bị ký số trong kyso.toml ([[module]] path = …), và báo ATR để bổ sung vào danh mục
doctor-reinsert = hãy cắm lại thiết bị ký số; nếu mô-đun vẫn không thấy gì, có thể mô-đun không hỗ trợ thiết bị này (thiết bị do phần mềm của tổ chức cung cấp dịch vụ chứng thực khởi tạo thường cần mô-đun của nhà cung cấp, không phải OpenSC)
doctor-udev-fix = hãy cài gói kyso (sudo apt install ./kyso_*.deb) hoặc chạy sudo make install (hoặc chép udev/70-kyso-tokens.rules vào /etc/udev/rules.d/ rồi chạy `udevadm control --reload`), sau đó cắm lại thiết bị ký số
doctor-pcscd-missing = chưa cài pcscd (dịch vụ PC/SC mà mọi thiết bị ký số USB đều đi qua)
doctor-pcscd-install = Debian/Ubuntu: sudo apt-get install pcscd libccid; Fedora: sudo dnf install pcsc-lite pcsc-lite-ccid
doctor-pcscd-answers = pcscd có trả lời
doctor-pcscd-start = hãy khởi động nó: sudo systemctl enable --now pcscd.socket (hoặc chạy pcscd)
doctor-no-reader = pcscd không thấy đầu đọc thẻ nào
doctor-card-mute = đã cắm thẻ nhưng thẻ không trả lời
doctor-card-mute-fix = hãy rút thẻ ra và cắm lại
doctor-no-card = không có thẻ hay thiết bị ký số trong đầu đọc nào
doctor-no-card-fix = hãy cắm thẻ (hoặc thiết bị ký số) vào
doctor-atr-unknown = ATR của thẻ không có trong danh mục thiết bị ký số của kyso
doctor-no-module = chưa cấu hình mô-đun nào và không có thiết bị ký số đã biết để chọn mô-đun
doctor-module-fix = hãy cài mô-đun (xem `kyso devices`) hoặc sửa đường dẫn của nó trong kyso.toml
doctor-no-token = mô-đun không thấy thiết bị ký số nào đã khởi tạo
doctor-renew-them = hãy gia hạn chúng với tổ chức cung cấp dịch vụ chứng thực chữ ký số
doctor-renew = hãy gia hạn chứng thư số với tổ chức cung cấp dịch vụ chứng thực chữ ký số (và kiểm tra đồng hồ của máy tính này)
doctor-login-fix = hãy chạy `kyso doctor --login` để kiểm tra bằng mã PIN
doctor-no-cert = không có chứng thư số nào kèm khóa bí mật trên thiết bị ký số
doctor-no-cert-fix = thiết bị ký số không có chứng thư số để ký: hãy đề nghị tổ chức cung cấp dịch vụ chứng thực chữ ký số cấp chứng thư vào thiết bị
doctor-set-home = hãy đặt biến môi trường HOME
doctor-plug-known = hãy cắm thiết bị ký số mà kyso biết, hoặc khai báo đường dẫn mô-đun trong kyso.toml
doctor-pcscd-unreachable = không kết nối được pcscd: { $message }
doctor-install-module = cài { $name }: { $how }
doctor-cert-validity = { $name } [{ $token }] hiệu lực { $from } .. { $to }
doctor-also-expired = ngoài ra có chứng thư số đã hết hạn hoặc chưa có hiệu lực: { $list }
doctor-all-expired = mọi chứng thư số có khóa đều đã hết hạn hoặc chưa có hiệu lực: { $list }
doctor-keys-hidden = có chứng thư số, nhưng khóa bí mật chưa hiện trước khi đăng nhập (thường gặp với thiết bị thật): { $list }
doctor-udev-missing = chưa cài { $file }
doctor-not-registered = chưa đăng ký với { $list }
doctor-registered-in = đã đăng ký với { $list }
doctor-not-checked = chưa kiểm tra: { $why }
doctor-why-no-pcscd = không kết nối được pcscd
doctor-why-no-reader = không có đầu đọc thẻ
doctor-why-no-card = không có thẻ
doctor-why-no-module = chưa nạp mô-đun nào
doctor-why-no-token-found = không tìm thấy thiết bị ký số
doctor-why-no-token = không có thiết bị ký số
doctor-mark-ok = tốt
doctor-mark-warn = lưu ý
doctor-mark-fail = LỖI
doctor-mark-skip = bỏ qua
doctor-fix = cách sửa
doctor-blocked = Có vấn đề ngăn việc ký: hãy sửa mục LỖI đầu tiên ở trên rồi chạy lại `kyso doctor`.
doctor-ready = Sẵn sàng ký.
doctor-check-pcscd-installed = đã cài pcscd
doctor-check-pcscd-reachable = kết nối được pcscd
doctor-check-readers-present = có đầu đọc thẻ
doctor-check-card-present = có thẻ hoặc thiết bị ký số
doctor-check-token-identified = nhận diện được thiết bị ký số
doctor-check-module-installed-and-loadable = mô-đun đã cài và nạp được
doctor-check-token-visible-through-the-module = mô-đun thấy thiết bị ký số
doctor-check-certificates-found-and-not-expired = có chứng thư số còn hiệu lực
doctor-check-udev-rules-installed = đã cài quy tắc udev
doctor-check-kyso-module-registered-in-browsers = mô-đun kyso đã đăng ký với trình duyệt
doctor-check-kyso-serve-signing-on-web-portals-running = kyso serve (ký số trên cổng dịch vụ công) đang chạy
doctor-check-browsers-trust-kyso-serve-s-local-ca = trình duyệt tin cậy CA cục bộ của kyso serve

## Con dấu chữ ký hiển thị (ngôn ngữ của tài liệu: --stamp-lang).

stamp-signed-by = Ký bởi
stamp-time = Thời gian
stamp-reason = Lý do
stamp-location = Nơi ký
help-sign-stamp_lang = Ngôn ngữ của chữ trên con dấu --visible: vi ("Ký bởi", "Thời gian") hoặc en ("Signed by", "Time"); là ngôn ngữ của tài liệu, không phụ thuộc --lang

## Chọn khóa (kyso sign).

key-remembered-used = thiết bị ký số '{ $token }': dùng khóa { $key } đã ghi nhớ trong { $file } (--key-id để chọn khóa khác)
key-authorisations = { $documents } tài liệu cần { $needed } lần ủy quyền: dịch vụ này cho phép { $per } chữ ký mỗi lần ủy quyền (mỗi lần hỏi một mã OTP riêng)
key-remembered = đã ghi nhớ khóa { $key } cho thiết bị ký số '{ $token }' (số sê-ri { $serial }) trong { $file }
key-choose-list = thiết bị ký số '{ $token }' có { $count } khóa:
key-choose-prompt = ký bằng khóa nào? [1-{ $count }]
key-none-chosen = chưa chọn khóa ('{ $answer }'); hãy chọn bằng --key-id

## Đọc mã PIN (không bao giờ hiển thị, không bao giờ ghi nhật ký).

pin-what-file = tệp mã PIN { $path }
pin-what-fd = bộ mô tả tệp { $fd }
pin-is-directory = { $what } là một thư mục, không phải tệp
pin-cannot-read = không đọc được { $what }
pin-cannot-read-from = không đọc được mã PIN từ { $what }
pin-env-unset = biến môi trường { $name } chưa được đặt
pin-no-terminal = không có terminal để hỏi mã PIN: hãy dùng --pin-file, --pin-fd hoặc --pin-env
pin-reading-terminal = đọc mã PIN từ terminal
pin-empty = mã PIN trống
pin-line-too-long = dòng đầu tiên của { $what } dài hơn { $max } byte: không phải mã PIN
pin-source-empty = { $what } trống
pin-line-empty = dòng đầu tiên của { $what } trống
pin-not-utf8 = dòng đầu tiên của { $what } không phải văn bản UTF-8

## Chữ ký dài hạn (kyso extend, --level, CA tin cậy).

help-extend-about = Chuyển các tệp PDF đã ký thành chữ ký dài hạn (PAdES B-LT / B-LTA: dữ liệu xác thực và dấu thời gian lưu trữ), hoặc gia hạn dấu thời gian lưu trữ của chúng
help-extend-level = b-lt (dữ liệu xác thực) hoặc b-lta (thêm dấu thời gian tài liệu; cần --tsa)
help-extend-tsa = Máy chủ dấu thời gian RFC 3161 cho dấu thời gian tài liệu (B-LTA)
help-extend-timeout = Số giây chờ máy chủ dấu thời gian và mỗi máy chủ OCSP hoặc CRL
help-extend-out_dir = Ghi các tệp PDF đã gia hạn vào đây (cùng tên) thay vì thay thế tệp gốc
help-extend-skip_existing = Bỏ qua các tệp PDF đã đạt mức yêu cầu (tiếp tục một lượt bị gián đoạn), trừ khi dấu thời gian lưu trữ của chúng đã đến hạn gia hạn (xem --renew-days)
help-extend-renew_days = Với --skip-existing: vẫn gia hạn tệp B-LTA có chứng thư của máy chủ dấu thời gian (của dấu thời gian tài liệu cuối cùng) hết hạn trong số ngày này
help-extend-files = Các tệp PDF đã ký
help-sign-level = Mức chữ ký: b-b (không có dấu thời gian), b-t (với --tsa), b-lt (b-t kèm dữ liệu xác thực của chuỗi chứng thư người ký và máy chủ dấu thời gian, lấy một lần cho mỗi chứng thư trong cả lượt ký; với --format cms là CAdES-LT), b-lta (PAdES: b-lt kèm dấu thời gian tài liệu trên toàn tệp, để lưu trữ; gia hạn bằng `kyso extend`)
help-verify-no_default_trust = Không tin các CA gốc có sẵn (Vietnam National Root CA): chỉ tin --trust và `[verify] trust` của kyso.toml
help-verify-intermediates = Chứng thư số CA trung gian (tệp PEM hoặc DER, hoặc thư mục chứa chúng; lặp lại để thêm nhiều) cho các chuỗi mà chữ ký không mang đủ. Các chứng thư còn thiếu cũng được tải từ địa chỉ caIssuers của chứng thư số, trừ khi dùng --offline
extend-done = đã chuyển lên { $level }
extend-left = đã ở mức { $level }, giữ nguyên
extend-failed = không gia hạn được: { $error }

## kyso serve (dịch vụ ký số cục bộ mà các cổng dịch vụ công gọi tới).

help-serve-about = Dịch vụ ký số cục bộ mà các trang web (cổng dịch vụ công) gọi tới (tương thích VGCA và VNPT, chỉ trên máy này): mỗi lượt ký được xác nhận và mã PIN được nhập trong pinentry, bên ngoài trình duyệt
help-serve-allow_origin = Cho phép thêm các trang web từ nguồn (origin) này (`https://portal.example.vn`) yêu cầu ký, ngoài [serve] origins trong kyso.toml (lặp lại để thêm nhiều)
help-serve-vgca_port = Cổng của điểm truy cập tương thích VGCA (0: cổng trống bất kỳ)
help-serve-vnpt_port = Cổng của điểm truy cập tương thích VNPT; nếu 4433 bận thì dùng 4434 và 4435 (0: cổng trống bất kỳ)
help-serve-token = Thiết bị ký số dùng để ký (nhãn, số sê-ri, khe hoặc URI pkcs11:), khi có nhiều thiết bị
help-serve-key_id = Khóa dùng để ký (CKA_ID, dạng hex), khi thiết bị có nhiều khóa
help-serve-ca_dir = Nơi lưu CA cục bộ (mặc định $XDG_DATA_HOME/kyso/serve)
help-serve-max_request_mib = Kích thước lớn nhất của một yêu cầu (thông điệp WebSocket) và tệp tải về, tính bằng MiB

## Chữ ký XML (kyso sign --format xml).

help-sign-in_place = XML: ghi đè từng tệp đã ký lên tệp gốc (an toàn: tệp gốc giữ nguyên cho tới khi tệp đã ký, đã được kiểm tra, thay thế nó), như phần mềm hóa đơn theo dõi thư mục mong đợi. Cần --format xml
help-sign-profile = XML: ký phần nào và đặt chữ ký ở đâu
help-sign-profile-values = auto: theo phần tử gốc (HDon: einvoice, HSoThueDTu: tax, Hoso: bhxh, còn lại enveloped); einvoice: hóa đơn điện tử (Thông tư 78), ký HDon/DLHDon theo Id, chữ ký trong DSCKS/NBan (người bán) hoặc DSCKS/NMua (người mua); enveloped: toàn bộ tài liệu; tax: tờ khai thuế (HTKK), chữ ký trong HSoThueDTu/CKyDTu; xades-bes: XAdES-BES trên toàn bộ tài liệu; xades-t: xades-bes kèm dấu thời gian cho chữ ký từ --tsa; bhxh: bảo hiểm xã hội, chữ ký trong <gốc>/Cky (hồ sơ Hoso trong Hoso/CKy_Dvi)
help-sign-role = Hóa đơn điện tử XML: ai ký (người bán ký trước, người mua ký sau)
help-sign-role-values = seller: người bán (DSCKS/NBan); buyer: người mua (DSCKS/NMua), ký sau người bán, chữ ký của người bán vẫn hợp lệ
help-sign-subject_name = XML: cách ghi X509SubjectName (không trình kiểm tra nào dựa vào nó)
help-sign-subject_name-values = rfc4514: UID=MST:…,CN=…,C=VN; dotnet: như phần mềm .NET ghi, OID.0.9.2342.19200300.100.1.1=MST:…, CN=…, C=VN

## kyso verify's report.

verify-verdict-valid = HỢP LỆ
verify-verdict-invalid = KHÔNG HỢP LỆ
verify-verdict-untrusted = KHÔNG ĐƯỢC TIN CẬY
verify-verdict-error = LỖI
verify-label-error = lỗi
verify-label-signer = người ký
verify-label-subject = chủ thể
verify-label-issuer = nơi cấp
verify-label-signed-at = ký lúc
verify-label-timestamp = dấu thời gian
verify-label-tsa-chain = chuỗi TSA
verify-label-tsa-trust = tin cậy TSA
verify-label-algorithm = thuật toán
verify-label-signature = chữ ký
verify-label-document = tài liệu
verify-label-problem = vấn đề
verify-label-chain = chuỗi
verify-label-anchor = gốc tin cậy
verify-label-trust = tin cậy
verify-label-level = cấp độ
verify-label-revocation = thu hồi
verify-valid = hợp lệ
verify-invalid = KHÔNG HỢP LỆ
verify-time-unknown = không rõ
verify-tsa-unknown = một máy chủ dấu thời gian không rõ
verify-signed-at-claimed = { $time } (theo khai báo của người ký)
verify-signed-at-claimed-untimestamped = { $time } (theo khai báo của người ký, không có dấu thời gian)
verify-timestamp-by = { $time }, do { $tsa } cấp ({ $state })
verify-timestamp-token-valid = dấu thời gian hợp lệ, khớp với chữ ký này
verify-document-modified = ĐÃ BỊ SỬA ĐỔI sau khi ký
verify-document-modified-because = ĐÃ BỊ SỬA ĐỔI sau khi ký: { $what }
verify-document-modified-appended = ĐÃ BỊ SỬA ĐỔI sau khi ký: có dữ liệu được thêm vào sau chữ ký này
verify-document-unmodified = không bị sửa đổi
verify-document-unmodified-later-revisions = không bị sửa đổi; các lần cập nhật sau chỉ thêm chữ ký, trường biểu mẫu hoặc dữ liệu xác thực
verify-no-identity-number = không có số định danh
verify-no-anchor = không có gốc tin cậy (--no-default-trust): hãy chỉ định --trust CA.pem
verify-not-under-anchor = không thuộc chứng thư số gốc quốc gia (Vietnam National Root CA) hay gốc tin cậy được chỉ định: hãy dùng --trust CA.pem hoặc thêm vào [verify] trust trong kyso.toml
verify-document-timestamp = dấu thời gian tài liệu { $timestamp }: bảo toàn mọi nội dung trước nó
verify-document-timestamp-invalid = dấu thời gian tài liệu: { $problems }
verify-level = { $family } { $level } (dữ liệu xác thực: { $data })
verify-validation-data-embedded = nhúng sẵn
verify-validation-data-fetched = tải về
verify-validation-data-none = không có
verify-offline-not-asked = --offline: không hỏi máy chủ OCSP hay CRL
verify-count = { $valid } hợp lệ, { $invalid } không hợp lệ, { $untrusted } không được tin cậy{ $errors ->
        [0] {""}
       *[other] , { $errors } không kiểm tra được
    }
verify-content-one-signature = --content chỉ tài liệu của một chữ ký; đã cho { $count } tệp
verify-folder-empty = { $dir }: không tìm thấy tài liệu đã ký nào (không có chữ ký .p7s, PDF hay XML đã ký)
verify-no-detached-signature = { $file }: không tìm thấy chữ ký: không có { $signature } (chữ ký rời là tệp FILE.p7s nằm cạnh FILE; PDF đã ký chứa chữ ký bên trong)
verify-content-not-found = { $file }: không tìm thấy (tài liệu mà { $signature } ký; hãy chỉ ra bằng --content)
verify-not-cms-empty = { $name } rỗng (0 byte), không phải chữ ký CMS
verify-not-cms-pem-signature = { $name } là chữ ký mã hóa PEM (-----BEGIN { $label }-----); kyso đọc dạng DER: hãy chuyển đổi bằng `openssl cms -cmsout -inform PEM -outform DER -in { $name } -out FILE.p7s`
verify-not-cms-pem = { $name } là văn bản PEM (-----BEGIN { $label }-----), không phải chữ ký CMS
verify-not-cms-pdf = { $name } là tệp PDF, không phải chữ ký CMS (PDF đã ký chứa chữ ký bên trong: hãy kiểm tra chính tệp PDF)
verify-not-cms-certificate = { $name } là chứng thư số X.509, không phải chữ ký CMS
verify-not-cms-not-der = { $name } không phải chữ ký CMS: không phải dạng DER (chữ ký CMS bắt đầu bằng byte 0x30)
verify-content-digest-differs = { $file } không khớp với chữ ký { $signature }: giá trị băm khác với giá trị đã ký (tệp đã bị thay đổi sau khi ký, hoặc chữ ký dành cho tệp khác)
verify-covered-bytes-changed = phần dữ liệu chữ ký này bao phủ trong { $file } đã bị thay đổi sau khi ký (giá trị băm khác)
verify-chain-certificate-revoked = '{ $subject }' đã bị thu hồi: { $revocation }
verify-revoked-after-timestamp = sau thời điểm của dấu thời gian chữ ký: chữ ký được tạo khi chứng thư số còn hiệu lực
verify-signer-revoked = chứng thư số của người ký đã bị thu hồi: { $revocation }
verify-pdf-unsigned = tệp PDF không có chữ ký nào
verify-modified-after-signature = tài liệu đã bị sửa đổi sau chữ ký này: { $what }
verify-appended-after-last-signature = tài liệu đã bị thay đổi sau chữ ký cuối cùng (có dữ liệu được thêm vào)
revocation-good = chưa bị thu hồi
revocation-revoked = đã bị thu hồi
revocation-unknown = không rõ
revocation-unreachable = không liên lạc được nơi kiểm tra
revocation-not-checked = chưa kiểm tra
revocation-on = {" "}vào { $time }
revocation-by = {" "}theo { $source }
problem-content-modified = tài liệu đã bị sửa đổi sau khi ký (giá trị băm khác)
problem-tstinfo-modified = nội dung dấu thời gian (TSTInfo) đã bị sửa đổi sau khi ký (giá trị băm khác)
problem-signing-certificate-other = thuộc tính signing-certificate chỉ đến một chứng thư số khác
problem-signature-does-not-verify = chữ ký { $algorithm } không khớp với khóa công khai của người ký
problem-timestamp-no-signing-certificate = dấu thời gian không có thuộc tính ESS signing-certificate (RFC 3161 §2.4.2)
problem-timestamp-imprint = giá trị băm được đóng dấu thời gian: { $error }
problem-timestamp-other-data = dấu thời gian được cấp cho dữ liệu khác, không phải chữ ký này (giá trị băm khác)
problem-timestamp-not-tsa-certificate = '{ $subject }' không phải chứng thư số cấp dấu thời gian (thiếu extendedKeyUsage timeStamping)
problem-not-yet-valid = '{ $subject }' chưa có hiệu lực trước { $time }
problem-expired = '{ $subject }' đã hết hạn vào { $time }
problem-issuer-not-ca = '{ $subject }' đã cấp cho '{ $issued }' nhưng không phải chứng thư số của tổ chức chứng thực (thiếu basicConstraints CA:TRUE)
problem-key-usage-no-signatures = chứng thư số của người ký không cho phép ký (mục đích sử dụng khóa: { $usage })
revocation-issuer-unknown = không rõ tổ chức cấp '{ $issuer }': hãy cung cấp chứng thư số của tổ chức đó bằng --trust
revocation-no-source = chứng thư số không nêu máy chủ OCSP hay điểm phân phối CRL qua HTTP nào
chain-issuer-not-found = không tìm thấy tổ chức cấp '{ $issuer }' của '{ $subject }' trong các gốc tin cậy ({ $anchors }) hay các chứng thư số trung gian ({ $intermediates }); hãy thêm chứng thư số của tổ chức chứng thực
chain-loops = chuỗi chứng thư số quay vòng tại '{ $issuer }' mà không đến được gốc tin cậy

## kyso devices: readers, cards, USB tokens.

devices-module = mô-đun: { $name } ({ $path })
devices-no-module-hint = chưa cài mô-đun: { $hint }
devices-no-module = không có mô-đun
devices-shipped-by = , do { $cas } cấp phát
devices-note = ghi chú: { $note }
devices-pcsc-running = PC/SC: pcscd đang chạy, { $readers } đầu đọc
devices-no-reader = không có đầu đọc: hãy cắm thiết bị ký số (token) hoặc đầu đọc thẻ
devices-pcsc-not-running = PC/SC: pcscd không chạy ({ $message }): hãy cài pcscd và khởi động nó (`systemctl start pcscd.socket`, hoặc chạy `pcscd`)
devices-pcsc-error = PC/SC: lỗi: { $message }
devices-no-card = không có thẻ
devices-card-mute = thẻ không phản hồi (hãy rút ra và cắm lại)
devices-reader-unavailable = không dùng được
devices-card = thẻ { $atr }
devices-unknown-card = thẻ không rõ: không có trong danh mục của kyso; hãy khai báo mô-đun của nó trong kyso.toml
devices-unknown-card-short = thẻ không rõ
devices-usb = USB: { $devices } thiết bị, { $tokens } thiết bị ký số đã biết
devices-usb-unavailable = USB: không dùng được ở đây ({ $message })
devices-usb-no-permission = không có quyền truy cập: hãy cài các luật udev (make install)
devices-usb-at = bus { $bus } thiết bị { $device }
devices-event-reader-added = đã cắm đầu đọc: { $reader }
devices-event-reader-removed = đã rút đầu đọc: { $reader }
devices-event-card-inserted = đã cắm thẻ vào { $reader }: { $atr } — { $what }
devices-event-card-removed = đã rút thẻ khỏi { $reader }
devices-event-pcscd-stopped = pcscd đã dừng: đang chờ nó chạy lại
devices-event-pcscd-running = pcscd đang chạy
devices-watching = đang theo dõi đầu đọc và thẻ (Ctrl-C để dừng)…

## kyso remote: remote signing accounts.

remote-no-account = không có tài khoản [[remote]] nào trong { $config }: hãy thêm một tài khoản với base_url và client_id (xem README)
remote-no-account-no-config = không có tài khoản [[remote]] nào trong kyso.toml (không tìm thấy tệp): hãy thêm một tài khoản với base_url và client_id (xem README)
remote-no-such-account = không có [[remote]] nào tên '{ $name }' trong kyso.toml
remote-several-accounts = có nhiều tài khoản ký số từ xa, hãy chọn một: { $names }
remote-logged-out = đã đăng xuất khỏi { $account }
remote-no-stored-token = { $account }: không có phiên đăng nhập nào được lưu
remote-open-this-page = Mở trang này để đăng nhập vào { $account }:
remote-login-needs-user = [[remote]] '{ $account }' dùng auth = "login": hãy khai báo user
remote-password-prompt = Mật khẩu của { $user } tại { $account }:{" "}
remote-logged-in = đã đăng nhập vào { $account }; phiên đăng nhập được lưu trong { $file }
remote-logged-in-for = đã đăng nhập vào { $account } trong { $seconds } giây; phiên đăng nhập được lưu trong { $file }
remote-list-error = LỖI: { $error }
remote-list-valid-until = có hiệu lực đến { $time }
remote-list-credential = { $status }; PIN { $pin }, OTP { $otp }, { $multisign } chữ ký cho mỗi lần cấp phép

## kyso dev-token.

dev-token-no-softhsm = không tìm thấy SoftHSM: hãy cài nó (apt-get install softhsm2) hoặc chỉ ra bằng --softhsm PATH
dev-token-no-home = biến HOME chưa được đặt: hãy dùng --dir
dev-token-created = đã tạo thiết bị ký số thử nghiệm '{ $label }' trong { $dir }
dev-token-reused = dùng lại thiết bị ký số thử nghiệm '{ $label }' trong { $dir }
dev-token-pins = mã PIN { $pin } (mã PIN SO { $so_pin }) — giá trị thử nghiệm, không bao giờ dùng cho khóa thật
dev-token-module = mô-đun
dev-token-ca = CA thử nghiệm
dev-token-pin-file = tệp mã PIN
dev-token-pin-file-value = { $file } (cho --pin-file)
dev-token-key = khóa { $id } { $label } chứng thư số { $certificate }, khóa công khai { $public_key }

## kyso sign: options checked before the PIN.

sign-out-dir-not-directory = --out-dir { $dir } không phải là thư mục
sign-out-dir-not-writable = không ghi được vào --out-dir { $dir }
sign-visible-needs-pades = --visible cần --format pades
sign-reason-needs-pades = --reason, --location và --contact cần --format pades
sign-nothing-signed-left-out = không có tệp nào để ký trong các thư mục đã cho: các tệp PDF đã ký ở đó được bỏ qua (dùng --include-signed để ký thêm vào chúng)
sign-nothing-to-sign = không có tệp nào để ký trong các thư mục đã cho
sign-in-place-needs-xml = --in-place cần --format xml (chữ ký nằm bên trong tệp XML; các định dạng khác ghi ra tệp mới)
sign-level-bb-with-tsa = --level b-b không có dấu thời gian: hãy bỏ --tsa, hoặc chọn --level b-t
sign-level-needs-tsa = --level b-t, b-lt và b-lta cần máy chủ cấp dấu thời gian: hãy chỉ ra bằng --tsa URL
sign-level-blta-needs-pades = --level b-lta cần --format pades (kyso không ghi dấu thời gian lưu trữ CAdES-LTA vào .p7s; --level b-lt tạo CAdES-LT)
sign-level-blt-needs-pades-or-cms = --level b-lt cần --format pades (PAdES B-LT) hoặc cms (CAdES-LT)
sign-tsa-needs-document-format = --tsa cần --format cms hoặc pades (chữ ký raw không có chỗ cho dấu thời gian)
sign-tsa-not-http = --tsa { $url }: cần một địa chỉ http:// hoặc https://
key-id-not-hex = --key-id '{ $id }' không phải dạng hex
certificate-file-not-a-certificate = { $file }: không phải chứng thư số dạng PEM hay DER ({ $error })
io-installing-ctrl-c = cài đặt xử lý Ctrl-C
io-reading-key-choice = đọc lựa chọn khóa
io-reading-directory = đọc thư mục { $dir }
doctor-serve-ports = VGCA tại wss://127.0.0.1:{ $vgca }, VNPT tại wss://localhost:{ $vnpt }/plugin
doctor-serve-port-taken = một chương trình khác đang dùng cổng { $port } (cổng của plugin VGCA)
doctor-serve-port-taken-fix = hãy dừng chương trình đó (một plugin ký số khác?), rồi khởi động kyso serve
doctor-serve-not-running = không chạy (chỉ cần khi ký trên cổng dịch vụ công)
doctor-serve-not-running-fix = systemctl --user enable --now kyso-serve (hoặc chạy `kyso serve`)
doctor-serve-no-nss-db = không có cơ sở dữ liệu NSS nào của trình duyệt
doctor-serve-ca-untrusted = chưa được tin cậy trong { $missing }
doctor-serve-ca-partly-trusted = chưa được tin cậy trong { $missing }; đã được tin cậy trong { $trusted }
doctor-serve-ca-fix = hãy chạy `kyso register` (đóng Firefox và Thunderbird trước)

## kyso register: the module and kyso serve's CA in browsers' NSS databases.

register-status-registered = đã đăng ký
register-status-would-register = sẽ đăng ký
register-status-updated = đã cập nhật
register-status-would-update = sẽ cập nhật
register-status-already-registered = đã đăng ký từ trước
register-status-removed = đã gỡ
register-status-would-remove = sẽ gỡ
register-status-not-registered = chưa đăng ký
register-status-in-use = bỏ qua (đang dùng)
register-status-legacy-dbm = bỏ qua (dbm: cũ)
register-status-no-database = bỏ qua (không có NSS DB)
register-status-other-owner = bỏ qua (chủ sở hữu khác)
register-status-failed = THẤT BẠI
register-no-home = biến HOME chưa được đặt
register-not-a-library = { $path } không phải là thư viện dùng chung
io-locating-kyso = tìm tệp chương trình kyso
io-running = chạy { $program }
register-module-not-found = không tìm thấy { $module } cạnh { $dir } hay trong { $prefix }/lib: hãy cài đặt nó (`make install`), hoặc chỉ ra bằng --module-path
register-legacy-dbm = cơ sở dữ liệu NSS định dạng cũ (dbm:, cert8.db, secmod.db), không thay đổi: hãy mở hồ sơ này một lần bằng { $program } phiên bản hiện hành (nó sẽ chuyển đổi cơ sở dữ liệu), rồi chạy lại `kyso register`
register-no-database = hồ sơ chưa có cơ sở dữ liệu NSS: hãy mở { $program } một lần, rồi chạy lại `kyso register`
register-in-use = { $program } đang chạy với hồ sơ này (pid { $pid }): hãy đóng { $program } trước rồi chạy lại (hoặc dùng --force)
register-other-owner = thuộc về uid { $owner }, không phải người dùng này (uid { $me }): hãy chạy `kyso register` dưới tên người dùng đó, không dùng sudo
register-would-create-database = sẽ tạo cơ sở dữ liệu
register-created-database = đã tạo cơ sở dữ liệu
register-ca-trusted-for = chỉ được tin cậy cho máy chủ TLS trên địa chỉ nội bộ (loopback) của máy tính này
register-place-serve-ca = CA cục bộ của kyso serve trong { $place }
register-place-p11kit = tệp khai báo mô-đun p11-kit
register-place-profile = hồ sơ { $app } { $profile }
register-place-shared = NSS DB dùng chung của { $app }
register-program-browser = trình duyệt
register-by-file = bởi { $file }
register-module = mô-đun { $module }
register-dry-run = chạy thử: không có gì bị thay đổi
register-restart-applications = hãy khởi động lại các ứng dụng đang mở để chúng nhận thay đổi
register-some-not-changed = một số nơi chưa được thay đổi: xem ở trên, rồi chạy lại `kyso register`
register-state-no-database = { $place } (chưa có cơ sở dữ liệu)
register-state-module-gone = { $place } (mô-đun đã đăng ký { $library } không tồn tại)
register-nss-tools-missing = { $tool } (bộ công cụ NSS) chưa được cài: Debian/Ubuntu: sudo apt-get install libnss3-tools; Fedora: sudo dnf install nss-tools
register-nss-tool-failed = { $tool } { $command } thất bại trên { $dir }: { $message }

## Commands' longer help (after the options); the English twin of each is the code's (a test checks).

help-verify-after =
    Chữ ký rời là tệp FILE.p7s nằm cạnh FILE (chỉ ra tên nào cũng được), hoặc bất kỳ tệp chữ ký
    nào cùng --content chỉ ra tài liệu của nó. Tệp XML (FILE.xml, hóa đơn điện tử, tờ khai) được
    kiểm tra từng chữ ký XMLDSig bên trong: các tham chiếu, vị trí của dữ liệu được ký (tấn công
    bọc gói — wrapping), và với hóa đơn điện tử, mã số thuế của người bán so với chứng thư số.
    Tệp PDF không có tệp .p7s đi kèm được kiểm tra từng chữ ký PAdES bên trong. Một thư mục được
    kiểm tra toàn bộ: mọi chữ ký .p7s và mọi PDF đã ký trong đó (cả thư mục con với --recursive),
    kết thúc bằng một dòng tổng số. Tài liệu và chữ ký phải là tệp thông thường (không phải FIFO
    hay thiết bị).

    Thu hồi: chứng thư số của người ký được kiểm tra tại máy chủ OCSP mà phần Authority Information
    Access của nó nêu, nếu không thì bằng danh sách thu hồi (CRL) tại các điểm phân phối CRL
    (HTTP); mỗi câu trả lời được xác minh bằng khóa của tổ chức cấp; kết quả là chưa bị thu hồi,
    đã bị thu hồi (kèm thời điểm và lý do), không rõ hoặc không liên lạc được. --offline không hỏi
    gì và nói rõ điều đó. Chứng thư số đã bị thu hồi làm chữ ký không hợp lệ, trừ khi một dấu thời
    gian hợp lệ cho thấy chữ ký được tạo trước khi thu hồi.

    Tin cậy: chứng thư số gốc quốc gia (Vietnam National Root CA, NEAC, rootca.gov.vn) có sẵn
    trong kyso, nên chữ ký của các tổ chức cung cấp dịch vụ chứng thực chữ ký số được cấp phép
    (VNPT-CA, Viettel-CA, BKAV-CA, FPT-CA…) được xác minh chuỗi mà không cần tùy chọn nào.
    `[verify] trust = ['ca.pem', …]` trong kyso.toml và --trust thêm gốc tin cậy; --no-default-trust
    bỏ gốc có sẵn. Báo cáo nêu gốc tin cậy mà mỗi chuỗi dẫn đến.

    Mã thoát: 0 khi mọi chữ ký hợp lệ và người ký dẫn chuỗi đến một gốc tin cậy, 1 khi có chữ ký
    không hợp lệ, bị sửa đổi, bị thu hồi hoặc không được tin cậy, 2 khi kyso không chạy được.

    Ví dụ:
      kyso verify report.pdf                     # chữ ký của một CA Việt Nam: không cần tùy chọn
      kyso verify --trust org-ca.pem --json *.p7s
      kyso verify --no-default-trust --trust ca.pem received/   # ... 200 hợp lệ, 0 không hợp lệ

help-sign-after =
    Định dạng mặc định (không có --format): theo nội dung từng tệp: PDF được ký trong PDF (pades,
      FILE.signed.pdf); tệp XML có chữ ký XMLDSig bên trong (xml, FILE.signed.xml: hóa đơn điện tử
      trong HDon/DSCKS/NBan, XML khác thì ký toàn bộ tài liệu); các tệp khác có chữ ký CAdES rời
      (cms, FILE.p7s). --format raw ghi chữ ký thuần (FILE.sig).

    Thuật toán mặc định:
      Khóa EC: ECDSA với hàm băm của đường cong (P-256: ecdsa-sha256, P-384: ecdsa-sha384).
      Khóa RSA, --format raw và xml: rsa-pkcs1-sha256 (điều các hệ thống nhận hóa đơn chấp nhận).
      Khóa RSA, định dạng tài liệu (cms, pades): rsa-pss-sha256 (RSASSA-PSS, MGF1-SHA-256, salt 32),
        lược đồ mà quy định kỹ thuật năm 2025 của Việt Nam (Nghị định 23/2025) nêu cho chữ ký RSA.
        Khi thiết bị ký số không hỗ trợ PSS, kyso dùng rsa-pkcs1-sha256 và thông báo điều đó.
        Với bên nhận chỉ chấp nhận PKCS#1 v1.5, hãy dùng --algorithm rsa-pkcs1-sha256.

    Ví dụ:
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
    Mỗi tệp PDF được thêm, trong một lần cập nhật tăng dần sau các chữ ký, một kho dữ liệu xác thực
    (Document Security Store) chứa các chứng thư số, câu trả lời OCSP và CRL của mọi chữ ký và dấu
    thời gian trong tệp (mỗi chứng thư số chỉ tải một lần cho cả lượt chạy), để tài liệu vẫn kiểm
    tra được khi máy chủ của các CA không còn (B-LT); với --level b-lta (mặc định) tiếp theo là một
    dấu thời gian tài liệu từ --tsa, bao phủ tất cả. Chạy lại trên tệp B-LTA trước khi chứng thư số
    TSA của dấu thời gian cuối cùng hết hạn sẽ gia hạn lưu trữ. Các chữ ký trước vẫn hợp lệ; mỗi tệp
    được thay thế nguyên vẹn (hoặc ghi vào --out-dir), và --skip-existing bỏ qua các tệp đã đạt cấp
    độ, trừ các tệp B-LTA có chứng thư số TSA của dấu thời gian cuối cùng hết hạn trong vòng
    --renew-days (90) ngày: các tệp đó được gia hạn, nên chạy `kyso extend --skip-existing` hằng đêm
    trên kho lưu trữ giữ cho nó luôn kiểm tra được.

    Ví dụ:
      kyso extend --tsa http://tsa.example.vn archive/*.pdf
      kyso extend --level b-lt received.pdf
      kyso extend --tsa http://tsa.example.vn --skip-existing archive/*.pdf   # tiếp tục

help-dev-token-after =
    Ví dụ:
      eval "$(kyso dev-token --dir /tmp/t --print-env)"
      kyso certs
extend-blta-needs-tsa = --level b-lta (mặc định) cần --tsa URL cho dấu thời gian tài liệu; --level b-lt chỉ thêm dữ liệu xác thực

## The command line's own errors (clap's, told again in the language in use).

clap-error = lỗi: { $what }
clap-error-unknown-argument = không có tùy chọn '{ $arg }'
clap-error-unknown-command = không có lệnh '{ $command }'
clap-error-missing-value = '{ $arg }' cần một giá trị nhưng không được cho
clap-error-invalid-value = giá trị '{ $value }' không hợp lệ cho '{ $arg }'
clap-error-value-validation = giá trị '{ $value }' không hợp lệ cho '{ $arg }': { $why }
clap-error-missing-required = thiếu các tham số bắt buộc sau: { $args }
clap-error-missing-command = cần chỉ ra một lệnh
clap-error-conflict = không dùng được '{ $arg }' cùng với '{ $other }'
clap-error-number-of-values = số giá trị cho '{ $arg }' không đúng
clap-error-no-equals = cần dấu bằng khi gán giá trị cho '{ $arg }'
clap-error-not-utf8 = có tham số không phải UTF-8 hợp lệ
clap-error-other = dòng lệnh không hợp lệ
clap-error-valid-values = các giá trị có thể dùng: { $values }
clap-error-did-you-mean = gợi ý: có một lựa chọn tương tự: '{ $what }'
clap-error-more-help = Để biết thêm, hãy chạy với '--help'.

## Documents checked before the PIN (the library's batch checks).

check-xml-too-large = { $name } lớn hơn { $mb } MB: kyso không đọc tệp XML lớn như vậy
check-not-a-pdf = { $name } không phải tệp PDF (không bắt đầu bằng %PDF-)
check-empty-pdf = { $name } rỗng (0 byte), không phải tệp PDF
check-pdf-encrypted-password = { $name } đã được mã hóa và cần mật khẩu để mở: kyso không ký được; hãy xin người gửi bản không mã hóa, hoặc tạo một bản bằng `qpdf --decrypt --password=MẬT_KHẨU { $name } decrypted.pdf` rồi ký bản đó
check-pdf-encrypted-owner = { $name } đã được mã hóa (mở được không cần mật khẩu, nhưng mật khẩu chủ sở hữu hạn chế việc sửa đổi): kyso không ký được; hãy tạo bản ký được bằng `qpdf --decrypt { $name } decrypted.pdf` (nếu tác giả cho phép) rồi ký bản đó
check-pdf-encrypted = { $name } đã được mã hóa: kyso không ký được; hãy tạo bản ký được bằng `qpdf --decrypt { $name } decrypted.pdf` (thêm --password=MẬT_KHẨU nếu cần mật khẩu để mở) rồi ký bản đó
file-kind-directory = một thư mục
file-kind-fifo = một FIFO (ống có tên)
file-kind-char-device = một thiết bị ký tự
file-kind-block-device = một thiết bị khối
file-kind-socket = một socket
file-kind-other = không phải tệp thông thường
file-not-regular = { $path } là { $kind }, không phải tệp thông thường: kyso chỉ đọc tài liệu và chữ ký từ tệp thông thường
visible-no-such-page = --visible: tệp PDF có { $count } trang, không có trang { $page }
visible-off-page = --visible: khung { $rect } (x,y,rộng,cao) vượt ra ngoài trang { $page }, trang có kích thước { $size } điểm{ $rotated ->
        [yes] {" "}khi hiển thị
       *[no] {""}
    }: hãy chọn khung nằm trong trang, hoặc một vị trí đặt tên (ví dụ { $example },bottom-right)
pdf-cannot-read = không đọc được tệp PDF: { $error }
io-not-found = không có tệp hay thư mục này
io-permission-denied = không có quyền truy cập
io-already-exists = tệp đã tồn tại
io-storage-full = ổ đĩa đã hết chỗ trống
io-read-only = hệ thống tệp chỉ cho phép đọc
io-is-a-directory = đây là một thư mục
io-not-a-directory = không phải thư mục
io-quota-exceeded = đã vượt hạn mức dung lượng đĩa
io-timed-out = hết thời gian chờ
discovery-config-without-module = { $config } không có [[module]] nào
discovery-no-config = không tìm thấy kyso.toml
discovery-no-known-token = không có thiết bị ký số nào kyso biết đang được cắm (xem `kyso devices`)
discovery-no-module = chưa khai báo mô-đun PKCS#11 nào ({ $searched }) và không tìm được mô-đun cho các thiết bị đang cắm ({ $seen }): với thiết bị ký số kyso chưa biết, hãy dùng --module PATH (ví dụ /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so hoặc mô-đun của nhà cung cấp thiết bị) hoặc thêm một [[module]] có đường dẫn của nó vào kyso.toml
choose-token-not-among = '{ $token }' (theo nhãn, số sê-ri, số khe hoặc URI pkcs11:); các thiết bị đang có: { $present }
choose-token-plug-in = '{ $token }': hãy cắm thiết bị ký số (hoặc thẻ) vào — `kyso doctor` kiểm tra từng bước
discovery-module-failed = mô-đun { $module }: { $error }
discovery-remote-failed = tài khoản ký số từ xa { $account }: { $error }
discovery-no-module-loaded = không nạp được mô-đun PKCS#11 nào: { $why }
discovery-cannot-list-tokens = mô-đun { $module }: không liệt kê được thiết bị ký số: { $error }

## Choosing the token, key and algorithm (the library's choices).

choose-no-token-holds-key = không thiết bị ký số nào có khóa với id { $id }; các thiết bị: { $tokens }
choose-no-token-holds-certificate = không thiết bị ký số nào có chứng thư số kèm khóa; các thiết bị: { $tokens }
choose-several-tokens = nhiều thiết bị ký số có khóa, hãy chọn một bằng --token NHÃN, --token SỐ_SÊ_RI hoặc --token 'pkcs11:serial=SỐ_SÊ_RI': { $tokens }
choose-several-keys = thiết bị ký số '{ $token }' có { $count } khóa; hãy chọn một bằng --key-id:
choose-no-key-with-id = không có chứng thư số kèm khóa bí mật nào có id { $id } trên thiết bị ký số '{ $token }' (xem `kyso certs`)
choose-no-key-on-token = thiết bị ký số '{ $token }' không có chứng thư số nào kèm khóa bí mật
choose-unknown-algorithm = không biết thuật toán '{ $name }'; các thuật toán đã biết: { $known }
choose-no-pss = thiết bị ký số '{ $token }' không hỗ trợ RSASSA-PSS: ký bằng rsa-pkcs1-sha256
choose-key-type-unsupported = kyso không ký được bằng khóa { $key_type }
choose-algorithm-not-offered = { $algorithm } với khóa { $key_type }; khóa này dùng được: { $offered }
choose-key-description = id { $id } — { $name } — cấp bởi { $issuer } — hiệu lực từ { $from } đến { $to }
choose-mark-expired = ĐÃ HẾT HẠN
choose-mark-not-yet-valid = CHƯA CÓ HIỆU LỰC
output-input-changed = { $name } đã thay đổi trong lúc được ký; không ghi gì cho tệp này, hãy ký lại
plan-same-output = { $first } và { $second } sẽ cùng được ký ra { $output }: hãy ký chúng vào các thư mục --out-dir khác nhau
plan-output-is-input = ký { $input } sẽ ghi đè { $output }, tệp cũng đang chờ ký: hãy ký chúng vào các thư mục --out-dir khác nhau
extend-unreadable-signature = không đọc được một chữ ký trong tệp ({ $error }): không có gì để bổ sung
extend-unsigned = tệp PDF không có chữ ký: không có gì để bổ sung (hãy ký bằng `kyso sign`)
pin-refused-length-or-characters = thiết bị ký số không chấp nhận độ dài hoặc ký tự của mã PIN này
key-gone = khóa trên thiết bị ký số '{ $token }' không còn ({ $function })
key-refuses-operation = khóa không cho phép thao tác này: { $rv }
pin-already-refused = thiết bị ký số '{ $token }' đã từ chối mã PIN này; không thử lại
pin-new-empty = mã PIN mới trống
pin-cancelled-for-signature = không có mã PIN cho chữ ký này (đã hủy)
config-no-place = không có chỗ cho kyso.toml: hãy đặt XDG_CONFIG_HOME hoặc HOME

## kyso verify on XML files.

verify-label-location = vị trí
verify-label-covers = bao phủ
verify-label-seller-mst = MST người bán
verify-xml-unsigned = { $name } không có chữ ký XML nào
verify-xml-signing-time = { $time } (SigningTime, giờ Việt Nam, theo khai báo của người ký)
verify-xml-mst-matches = khớp với chứng thư số
verify-xml-mst-differs = KHÔNG khớp với chứng thư số
xml-problem-reference-changed = dữ liệu mà tham chiếu { $uri } bao phủ đã bị thay đổi sau khi ký (giá trị băm khác)
xml-problem-signature-value = giá trị chữ ký không khớp với khóa của chứng thư số (SignedInfo đã bị thay đổi, hoặc chữ ký được tạo bằng khóa khác)
xml-problem-signing-certificate = SigningCertificateV2 đã ký không chỉ đến chứng thư số trong KeyInfo (chứng thư số bị thay thế sau khi ký)
xml-problem-timestamp = dấu thời gian của chữ ký không hợp lệ: { $problems }
xml-problem-mst = mã số thuế người bán trong hóa đơn không phải của chứng thư số (MST { $mst })
xml-problem-mst-none = mã số thuế người bán trong hóa đơn không phải của chứng thư số (chứng thư số không có MST)
xml-no-certificate = { $location }: không có X509Certificate trong KeyInfo: kyso không biết ai đã ký
xml-external-reference = { $location }: tham chiếu { $uri } nằm ngoài tài liệu: kyso chỉ kiểm tra tham chiếu trong cùng tài liệu
xml-problem-wrapped-in-signature = một tham chiếu trỏ đến { $path }, nằm bên trong một chữ ký: dữ liệu được ký bị dời vào đó trong khi người đọc thấy dữ liệu khác là một tấn công bọc gói (wrapping)
xml-problem-invoice-data-moved = dữ liệu hóa đơn được ký nằm ở { $path }, không phải HDon/DLHDon nơi nó được đọc: một tấn công bọc gói (wrapping)
xml-whole-document = toàn bộ tài liệu
xades-t-needs-tsa = XAdES-T (--profile xades-t) gắn dấu thời gian cho mỗi chữ ký: hãy chỉ ra máy chủ cấp dấu thời gian bằng --tsa URL
sign-tsa-xml-needs-xades-t = --tsa với --format xml cần --profile xades-t (các hồ sơ XML khác không có chỗ cho dấu thời gian)
batch-timestamp-needs-format = dấu thời gian cần định dạng cms hoặc pades (chữ ký raw không có chỗ cho nó)
batch-timestamp-xml-needs-xades-t = dấu thời gian trong chữ ký XML cần hồ sơ xades-t (các hồ sơ XML khác không có chỗ cho nó)
batch-visible-needs-pades = chữ ký hiển thị cần định dạng pades
batch-fields-need-pades = lý do, nơi ký hoặc liên hệ cần định dạng pades (tệp PDF lưu giữ chúng)
verify-certified-no-changes-yet-changed = tài liệu đã được chứng nhận không cho phép thay đổi (DocMDP P=1), vậy mà vẫn có các lần cập nhật được thêm vào

## kyso app (trang ký số trong trình duyệt).

help-app-about = Trang ký số trong trình duyệt, dành cho người không dùng dòng lệnh: chọn tài liệu, nhập mã PIN một lần, xem tài liệu được ký và kiểm tra
help-app-files = Các tài liệu đưa vào trang (tệp, hoặc thư mục kèm mọi thư mục con)
help-app-no_open = In địa chỉ của trang (kèm mã bí mật dùng một lần) ở dòng đầu của đầu ra thay vì mở trình duyệt (máy tính từ xa, kiểm thử)
help-app-port = Cổng trên 127.0.0.1 (0: cổng trống bất kỳ)
app-opened = trang ký số đã mở trong trình duyệt ({ $url }); để chương trình này chạy trong khi ký, nhấn Ctrl+C để kết thúc
app-open-yourself = không mở được trình duyệt: hãy mở địa chỉ ở trên trong trình duyệt của bạn
app-title = Ký số tài liệu
app-file-missing = tệp không còn nữa: tệp đã bị xóa hoặc di chuyển sau khi được thêm
app-file-unreadable = không đọc được tệp: hãy kiểm tra quyền đọc tệp
app-file-encrypted = tệp PDF có mật khẩu bảo vệ: hãy mở tệp, lưu một bản không có mật khẩu rồi thêm bản đó
app-file-not-pdf = đây không phải tệp PDF mà kyso đọc được (tệp bị hỏng, hoặc định dạng khác mang đuôi .pdf)
app-page-files = Tài liệu
app-page-files-empty = Chưa có tài liệu nào.
app-page-name = Tên
app-page-size = Kích thước
app-page-pages = Số trang
app-page-state = Trạng thái
app-page-signed-by = Đã ký bởi
app-page-unsigned = Chưa ký
app-cert-gone = chứng thư số đã chọn không còn trên thiết bị ký số nào đang cắm: hãy cắm lại thiết bị, hoặc chọn chứng thư số khác
app-pin-title = kyso — mã PIN
app-pin-description = Ký { $count } tài liệu bằng chứng thư số của { $holder } (thiết bị '{ $token }'). Nhập mã PIN của thiết bị ký số.
app-pin-cancelled = chưa nhập mã PIN: chưa ký tài liệu nào
help-app-folder = Nơi lưu các tài liệu thêm từ trình duyệt, và các bản đã ký bên cạnh chúng (mặc định $XDG_DOCUMENTS_DIR/kyso, nếu không thì ~/Documents/kyso)
app-page-tab-sign = Ký số
app-page-tab-verify = Kiểm tra chữ ký
app-page-add-files = Chọn tệp…
app-page-add-folder = Chọn thư mục…
app-page-drop-here = Kéo thả tệp hoặc thư mục vào đây, hoặc
app-page-cert = Chứng thư số
app-page-certs-empty = Chưa thấy thiết bị ký số: hãy cắm USB token (hoặc thẻ) vào máy; thiết bị sẽ tự hiện ở đây.
app-page-cert-expired = Đã hết hạn ngày
app-page-cert-not-yet-valid = Chưa có hiệu lực trước ngày
app-page-cert-valid-until = Có hiệu lực đến
app-page-issuer = cấp bởi
app-page-stamp = Hình chữ ký
app-page-stamp-visible = Hiện chữ ký trên trang (PDF)
app-page-stamp-page = Đặt ở
app-page-page-first = trang đầu
app-page-page-last = trang cuối
app-page-page-all = mọi trang
app-page-page-this = trang số
app-page-stamp-help = Kéo khung bằng chuột, hoặc chọn khung rồi dùng các phím mũi tên (giữ Shift để di chuyển xa hơn). kyso ghi nhớ vị trí này.
app-page-no-preview = Thêm một tệp PDF để xem vị trí đặt chữ ký.
app-page-sign-step = Ký
app-page-sign = Ký số
app-page-cancel = Dừng
app-page-pin-wait = Nhập mã PIN của thiết bị ký số trong cửa sổ nhập PIN (không nhập trên trang này).
app-page-waiting = Đang chờ
app-page-signing = Đang ký…
app-page-signed = Đã ký
app-page-failed = Không ký được
app-page-cancelled = Đã dừng: các tài liệu đã ký được giữ lại; các tài liệu còn lại giữ nguyên.
app-page-done = Xong:
app-page-signed-count = đã ký
app-page-failed-count = không ký được
app-page-pending-count = chưa ký
app-page-open-folder = Mở thư mục
app-page-verify-drop = Kéo thả tệp đã ký (PDF, hoặc tệp kèm tệp .p7s của nó) vào đây, hoặc
app-page-verify-choose = Chọn tệp…
app-page-v-valid = Hợp lệ
app-page-v-modified = Tài liệu đã bị sửa sau khi ký
app-page-v-untrusted = Nguyên vẹn, nhưng chứng thư số không được tin cậy
app-page-v-revoked = Chứng thư số đã bị thu hồi
app-page-v-invalid = Không hợp lệ
app-page-v-error = Không kiểm tra được
app-page-v-none = Tệp này không có chữ ký số.
app-page-signer = Người ký
app-page-time = Thời gian ký
app-page-timestamped = Có dấu thời gian của tổ chức cấp dấu thời gian
app-page-not-timestamped = Không có dấu thời gian (thời gian do máy tính của người ký ghi)
app-disk-full = ổ đĩa đã đầy: chưa ghi gì cho tài liệu này; hãy giải phóng dung lượng rồi ký các tài liệu còn lại
app-not-a-file-name = '{ $name }' không phải tên tệp
app-saving = lưu { $name }
app-too-large = { $name } lớn hơn { $mib } MiB
app-pdftoppm-missing = pdftoppm (hãy cài poppler-utils)
app-preview-failed = không hiển thị được trang { $page } của { $file }: { $why }
app-tsa-not-http = [app] tsa = "{ $url }" trong kyso.toml: cần một địa chỉ http:// hoặc https://
io-listening = lắng nghe tại { $address }
io-temporary-folder = thư mục tạm

## kyso serve: những gì người dùng đọc trong pinentry.

serve-what-hash = ký một giá trị băm ({ $op })
serve-what-data = ký dữ liệu ({ $op })
serve-what-xml = ký một tài liệu XML ({ $op })
serve-what-pdf = ký một tài liệu PDF ({ $op })
serve-what-one = ký { $name } ({ $op })
serve-what-many = ký { $count } tài liệu ({ $op })
serve-what-pdfs = ký { $count } tài liệu PDF ({ $op })
serve-confirm-title = kyso — yêu cầu ký số
serve-confirm-ok = _Ký
serve-confirm-intro = Trang web { $origin } yêu cầu { $what }.
serve-confirm-cert = Chứng thư số: { $holder } (số sê-ri { $serial }), thiết bị '{ $token }'.
serve-confirm-count = { $count } tài liệu:
serve-confirm-more = … và { $count } tài liệu khác
serve-confirm-one = Ký tài liệu này?
serve-confirm-all = Ký tất cả?
serve-pin-title = kyso — mã PIN
serve-pin-asks = { $origin } yêu cầu ký bằng chứng thư số của { $holder } (thiết bị '{ $token }').
serve-pin-enter = Nhập mã PIN của thiết bị ký số.
serve-pin-each = Khóa này yêu cầu nhập mã PIN cho từng chữ ký: chữ ký thứ { $n } trên { $total }.
serve-pin-final-try = Lần thử cuối: nhập sai mã PIN thêm một lần nữa sẽ khóa thiết bị
serve-pin-count-low = Trước đó đã có lần nhập sai mã PIN: còn ít lần thử

## kyso serve: the service's own messages (the terminal, the journal, pinentry's buttons).

pinentry-not-found = không tìm thấy chương trình pinentry: hãy cài pinentry-gnome3 (hoặc pinentry-qt), hoặc khai báo [serve] pinentry trong kyso.toml
pinentry-refuse = _Từ chối
pinentry-pin-prompt = Mã PIN:
pinentry-starting = khởi động pinentry { $program }
pinentry-refused-to-start = pinentry không khởi động được: { $error }
pinentry-talking = trao đổi với pinentry
pinentry-ended = pinentry kết thúc bất ngờ
serve-bad-origin = nguồn gốc '{ $origin }': cần dạng https://MÁY_CHỦ[:CỔNG] (đúng như thanh địa chỉ của trình duyệt hiển thị cổng dịch vụ, không có đường dẫn, không có ký tự đại diện)
serve-restarting = mô-đun của thiết bị ký số ngừng phản hồi: kyso serve khởi động lại
serve-restart-failed = không khởi động lại được ({ $error }); thoát
serve-local-ca = CA cục bộ { $file }
serve-no-origin = chưa cho phép nguồn gốc nào: mọi trang web đều bị từ chối; hãy thêm cổng dịch vụ bằng --allow-origin hoặc [serve] origins trong kyso.toml
serve-allowed-origins = các nguồn gốc được phép: { $origins }
serve-no-port = không có cổng nào để lắng nghe
serve-refused-host = từ chối: Host '{ $host }' không phải địa chỉ nội bộ (loopback) của máy tính này
serve-refused-no-host = từ chối: không có tiêu đề Host
serve-refused-origin = từ chối: trang web tại { $origin } không được phép yêu cầu ký số; để cho phép, hãy thêm "{ $origin }" vào [serve] origins trong kyso.toml hoặc chạy `kyso serve --allow-origin { $origin }`
serve-refused-no-origin = từ chối: không có tiêu đề Origin (chỉ phục vụ trang web trong trình duyệt)
serve-refused-other-user = từ chối kết nối từ { $peer } của người dùng khác
serve-refused-binary = khung dữ liệu nhị phân: plugin chỉ nhận văn bản JSON
serve-refused-too-large = yêu cầu quá lớn ({ $error }); giới hạn là { $limit } byte
serve-refused-not-utf8 = khung văn bản không phải UTF-8
serve-ca-key-readable = người dùng khác đọc được { $file } (quyền { $mode }): hãy chạy `chmod 600 { $file }`
serve-no-token-holds-serial = không thiết bị ký số nào đang cắm có chứng thư số với số sê-ri { $serial }
serve-several-keys = có { $count } khóa có thể ký; hãy chọn một bằng `kyso serve --token NHÃN --key-id ID` (hoặc [serve] token và key_id trong kyso.toml)
serve-not-signed = chưa được ký
serve-not-signed-because = chưa được ký: { $why }
serve-not-signed-restarting = chưa được ký: { $why } (mô-đun của thiết bị ký số ngừng phản hồi: kyso serve khởi động lại)
serve-nothing-to-sign = không có gì để ký: { $why }
serve-a-hash = một giá trị băm { $hash }
serve-cancelled = người dùng tại máy tính đã từ chối ký (đã hủy)
serve-signed-not-uploaded = { $name } đã được ký nhưng chưa tải lên được: { $error }
serve-signed-not-uploaded-short = đã ký nhưng chưa tải lên được: { $error }
serve-nothing-signed = không tệp nào được ký: { $error }
serve-some-files-failed = một số tệp chưa được ký hoặc chưa tải lên được: xem Files
serve-nothing = không có gì để ký
serve-refused-other-site = từ chối: { $url } không thuộc trang yêu cầu { $origin } (tệp chỉ được tải về từ và tải lên chính trang đó)
serve-download-too-large = { $url } lớn hơn { $limit } byte mà kyso serve cho phép tải về
serve-upload-refused = nơi nhận tải lên { $url } đã từ chối tệp: { $reply }
serve-tsa-not-http = [serve] tsa = "{ $url }" trong kyso.toml: cần một địa chỉ http:// hoặc https://
serve-tsa-not-configured = trang web yêu cầu dấu thời gian từ { $url }; kyso serve chỉ lấy dấu thời gian từ máy chủ khai báo trong kyso.toml, không bao giờ từ địa chỉ do trang web đưa ra: hãy thêm [serve] tsa = "{ $url }" nếu bạn tin cậy máy chủ đó

## kyso app: restarting after a token's module stopped answering
app-restarting = mô-đun của thiết bị ký không còn phản hồi: kyso app tự khởi động lại trên cùng địa chỉ
app-restart-failed = không khởi động lại được ({ $error }); hãy mở lại kyso app
app-restarted = Thiết bị ký không còn phản hồi ({ $why }) nên kyso đã tự khởi động lại. Các tài liệu đã ký vẫn được giữ nguyên; hãy ký lại các tài liệu còn lại.
app-stuck-on-stop = thiết bị không dừng khi được yêu cầu

## kyso app: where signed documents go
app-page-out-label = Lưu tài liệu đã ký:
app-page-out-beside = cạnh từng tài liệu gốc
app-page-out-beside-button = Cạnh tài liệu gốc
app-page-out-choose = Chọn thư mục…
app-page-folders-title = Lưu tài liệu đã ký vào đâu
app-page-folders-up = Lên thư mục trên
app-page-folders-new = Thư mục mới
app-page-folders-none = Không có thư mục nào ở đây.
app-page-folders-use = Dùng thư mục này
app-page-folders-cancel = Hủy
app-folder-not-found = { $path } không phải là thư mục
app-folder-bad-name = Không thể đặt tên thư mục là “{ $name }”: hãy dùng chữ, số và dấu cách, không có /

## kyso app: the stamp's image
app-stamp-image-name = hình ảnh trên dấu chữ ký
app-page-stamp-image = Hình ảnh trên dấu chữ ký (chữ ký tay hoặc con dấu đã quét, PNG):
app-page-stamp-image-choose = Chọn hình ảnh…
app-page-stamp-image-remove = Bỏ hình ảnh
app-stamp-image-bad = Không dùng được hình ảnh này cho dấu chữ ký: { $why }. Hãy chọn một tệp PNG.

## kyso app: remote signing accounts ([[remote]], CSC) on the page.

app-remote-loading = đang hỏi dịch vụ ký số của tài khoản { $account } về các chứng thư…
app-remote-unreachable = không kết nối được dịch vụ ký số của tài khoản { $account }: hãy kiểm tra kết nối Internet rồi bấm Thử lại (kyso cũng tự thử lại sau vài phút)
app-remote-login = tài khoản { $account } cần đăng nhập lại: hãy mở cửa sổ dòng lệnh, chạy kyso remote login { $account }, rồi bấm Thử lại
app-remote-failed = tài khoản { $account }: { $error }
app-remote-pin-description = Ký { $count } tài liệu bằng chứng thư từ xa của { $holder } (tài khoản '{ $account }'). Hãy nhập mã PIN của tài khoản ký số này.
app-otp-title = kyso — mã xác thực một lần (OTP)
app-otp-description = Ký { $count } tài liệu bằng chứng thư từ xa của { $holder } (tài khoản '{ $account }'). Hãy nhập mã xác thực một lần (OTP) được gửi tới điện thoại của bạn hoặc hiện trong ứng dụng xác thực.
app-otp-prompt = OTP:
app-otp-cancelled = chưa nhập mã xác thực một lần (OTP): không ký thêm tài liệu nào
app-page-remote = từ xa
app-page-remote-retry = Thử lại
app-page-otp-wait = Hãy nhập mã xác thực một lần (OTP) trong cửa sổ của nó (không nhập trên trang này).
app-page-approve-wait = Hãy xác nhận việc ký trong ứng dụng của dịch vụ ký số trên điện thoại của bạn.
app-remote-cert-gone = tài khoản từ xa không còn liệt kê chứng thư đã chọn: hãy xem dòng của tài khoản đó (Thử lại), hoặc chọn chứng thư khác
app-remote-none = tài khoản { $account } chưa có chứng thư ký số nào: hãy hỏi nhà cung cấp dịch vụ ký số, rồi bấm Thử lại

## remote credentials: PIN and OTP refusals
remote-pin-already-refused = dịch vụ đã từ chối mã PIN này cho '{ $credential }'; không thử lại
remote-otp-empty = mã OTP trống
remote-otp-command-failed = otp_command { $program } không chạy được ({ $status }); chưa gửi mã OTP nào
remote-otp-no-terminal = chứng thư số '{ $credential }' cần mã OTP nhưng không có cửa sổ dòng lệnh để hỏi: hãy đặt otp_command trong mục [[remote]] của nó
