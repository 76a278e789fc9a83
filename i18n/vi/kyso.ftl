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
help-sign-tsa = Gắn dấu thời gian cho mỗi chữ ký tại máy chủ dấu thời gian RFC 3161 này (CAdES-T / PAdES B-T): chữ ký của thiết bị được kiểm tra, rồi giá trị của nó (đã băm) được gửi tới máy chủ. Máy chủ không kết nối được hoặc trả lời sai sẽ dừng lượt ký; không tệp nào thiếu dấu thời gian được ghi
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
help-sign-profile-values = auto: theo phần tử gốc (HDon: einvoice, HSoThueDTu: tax, Hoso: bhxh, còn lại enveloped); einvoice: hóa đơn điện tử (Thông tư 78), ký HDon/DLHDon theo Id, chữ ký trong DSCKS/NBan (người bán) hoặc DSCKS/NMua (người mua); enveloped: toàn bộ tài liệu; tax: tờ khai thuế (HTKK), chữ ký trong HSoThueDTu/CKyDTu; xades-bes: XAdES-BES trên toàn bộ tài liệu; bhxh: bảo hiểm xã hội, chữ ký trong <gốc>/Cky (hồ sơ Hoso trong Hoso/CKy_Dvi)
help-sign-role = Hóa đơn điện tử XML: ai ký (người bán ký trước, người mua ký sau)
help-sign-role-values = seller: người bán (DSCKS/NBan); buyer: người mua (DSCKS/NMua), ký sau người bán, chữ ký của người bán vẫn hợp lệ
help-sign-subject_name = XML: cách ghi X509SubjectName (không trình kiểm tra nào dựa vào nó)
help-sign-subject_name-values = rfc4514: UID=MST:…,CN=…,C=VN; dotnet: như phần mềm .NET ghi, OID.0.9.2342.19200300.100.1.1=MST:…, CN=…, C=VN

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
