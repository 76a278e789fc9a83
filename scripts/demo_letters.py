#!/usr/bin/python3
"""Writes official letters as PDFs for the demo: A4, a few pages each, Vietnamese text in the
layout of Decree 30/2020/NĐ-CP (the issuing body and the national motto side by side, number and
date, the document type, the articles, recipients and the signer's title). Page 1 keeps an empty
box in its lower right corner for the visible signature the demo adds:

    kyso sign --format pades --visible 1,330,56,225,80 …

Uses pycairo (Debian: python3-cairo) and the DejaVu fonts (fonts-dejavu-core), which have every
Vietnamese glyph.

    /usr/bin/python3 scripts/demo_letters.py OUT_DIR
"""
import os
import sys

import cairo

W, H = 595, 842                      # A4 in points
LEFT, RIGHT, TOP, BOTTOM = 70, 525, 60, 70
STAMP = (330, 56, 225, 80)           # x, y from the lower left, width, height (as kyso takes it)
SERIF = "DejaVu Serif"

LETTERS = [
    ("quyet-dinh-123-QD-UBND", "QUYẾT ĐỊNH", "123/QĐ-UBND",
     "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2025", 9),
    ("cong-van-456-UBND-VP", "CÔNG VĂN", "456/UBND-VP",
     "V/v triển khai sử dụng chữ ký số chuyên dùng công vụ", 6),
    ("to-trinh-78-TTr-STC", "TỜ TRÌNH", "78/TTr-STC",
     "Về việc bổ sung dự toán ngân sách năm 2025", 7),
    ("thong-bao-15-TB-UBND", "THÔNG BÁO", "15/TB-UBND",
     "Kết luận của Chủ tịch Ủy ban nhân dân Thành phố tại cuộc họp giao ban", 6),
    ("ke-hoach-09-KH-UBND", "KẾ HOẠCH", "09/KH-UBND",
     "Triển khai Đề án 06 về dữ liệu dân cư, định danh và xác thực điện tử", 11),
    ("giay-moi-21-GM-UBND", "GIẤY MỜI", "21/GM-UBND",
     "Dự hội nghị tập huấn sử dụng chứng thư số", 5),
]

BASES = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Luật Giao dịch điện tử ngày 22 tháng 6 năm 2023;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Căn cứ Nghị định số 68/2024/NĐ-CP ngày 25 tháng 6 năm 2024 của Chính phủ quy định về "
    "chữ ký số chuyên dùng công vụ;",
    "Xét đề nghị của Chánh Văn phòng Ủy ban nhân dân Thành phố.",
]

ARTICLE = ("Giao các sở, ban, ngành và Ủy ban nhân dân các quận, huyện, thị xã tổ chức thực "
           "hiện nội dung nêu tại văn bản này theo đúng chức năng, nhiệm vụ được giao; bố trí "
           "cán bộ đầu mối, bảo đảm hạ tầng kỹ thuật, thiết bị ký số và kinh phí theo quy định. "
           "Định kỳ hằng quý, báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân Thành phố "
           "trước ngày 20 của tháng cuối quý để tổng hợp, báo cáo Chủ tịch Ủy ban nhân dân Thành "
           "phố; trong quá trình thực hiện, nếu có khó khăn, vướng mắc, kịp thời phản ánh để "
           "được hướng dẫn, giải quyết (mục {n}).")


class Page:
    """Writes lines top-down, starting a new page when the current one is full."""

    def __init__(self, ctx, number):
        self.ctx, self.number = ctx, number
        self.page = 1
        self.y = TOP
        self.footer()

    def footer(self):
        c = self.ctx
        c.save()                     # the paragraph being written keeps its font
        c.select_font_face(SERIF, cairo.FONT_SLANT_NORMAL, cairo.FONT_WEIGHT_NORMAL)
        c.set_font_size(9)
        c.set_source_rgb(0.35, 0.35, 0.35)
        text = f"Số {self.number} — trang {self.page}"
        c.move_to(W / 2 - c.text_extents(text).x_advance / 2, H - 30)
        c.show_text(text)
        c.restore()

    def bottom(self):
        # Page 1 keeps its lower right corner for the visible signature.
        return H - (STAMP[1] + STAMP[3] + 30) if self.page == 1 else H - BOTTOM

    def need(self, height):
        if self.y + height > self.bottom():
            self.ctx.show_page()
            self.page += 1
            self.y = TOP
            self.footer()

    def font(self, size, bold=False, italic=False):
        self.ctx.select_font_face(
            SERIF,
            cairo.FONT_SLANT_ITALIC if italic else cairo.FONT_SLANT_NORMAL,
            cairo.FONT_WEIGHT_BOLD if bold else cairo.FONT_WEIGHT_NORMAL)
        self.ctx.set_font_size(size)
        self.size = size

    def centered(self, text, cx, y):
        self.ctx.move_to(cx - self.ctx.text_extents(text).x_advance / 2, y)
        self.ctx.show_text(text)

    def paragraph(self, text, indent=28, left=LEFT, right=RIGHT):
        """Wrapped and justified, the first line indented."""
        c, lead = self.ctx, self.size * 1.45
        words, line, lines, width = text.split(), [], [], right - left - indent
        for w in words:
            if line and c.text_extents(" ".join(line + [w])).x_advance > width:
                lines.append(line)
                line, width = [w], right - left
            else:
                line.append(w)
        lines.append(line)
        for i, ws in enumerate(lines):
            self.need(lead)
            self.y += lead
            x = left + (indent if i == 0 else 0)
            span = right - x
            if i < len(lines) - 1 and len(ws) > 1:
                gap = (span - sum(c.text_extents(w).x_advance for w in ws)) / (len(ws) - 1)
                for w in ws:
                    c.move_to(x, self.y)
                    c.show_text(w)
                    x += c.text_extents(w).x_advance + gap
            else:
                c.move_to(x, self.y)
                c.show_text(" ".join(ws))
        self.y += self.size * 0.5


def letter(path, kind, number, subject, articles):
    surface = cairo.PDFSurface(path, W, H)
    surface.set_metadata(cairo.PDF_METADATA_TITLE, f"{kind} số {number}")
    surface.set_metadata(cairo.PDF_METADATA_AUTHOR, "Ủy ban nhân dân Thành phố Hà Nội")
    c = cairo.Context(surface)
    p = Page(c, number)
    # The issuing body (left) and the national motto (right).
    lx, rx = 165, 400
    p.font(11.5)
    p.centered("ỦY BAN NHÂN DÂN", lx, 70)
    p.font(11.5, bold=True)
    p.centered("THÀNH PHỐ HÀ NỘI", lx, 86)
    p.centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", rx, 70)
    p.font(12.5, bold=True)
    p.centered("Độc lập - Tự do - Hạnh phúc", rx, 86)
    c.set_line_width(0.6)
    for x0, x1, y in ((lx - 30, lx + 30, 95), (rx - 78, rx + 78, 95)):
        c.move_to(x0, y)
        c.line_to(x1, y)
        c.stroke()
    p.font(12)
    p.centered(f"Số: {number}", lx, 114)
    p.font(12, italic=True)
    p.centered("Hà Nội, ngày 15 tháng 3 năm 2025", rx, 114)
    p.font(14, bold=True)
    p.centered(kind, W / 2, 158)
    p.font(12.5, bold=True)
    p.centered(subject, W / 2, 176)
    p.y = 196
    p.font(12, bold=True)
    p.centered("CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", W / 2, p.y + 14)
    p.y += 26
    p.font(12, italic=True)
    for b in BASES:
        p.paragraph(b)
    p.font(12, bold=True)
    p.need(30)
    p.y += 10
    p.centered("QUYẾT ĐỊNH:" if kind == "QUYẾT ĐỊNH" else "NỘI DUNG:", W / 2, p.y + 12)
    p.y += 18
    for n in range(1, articles + 1):
        p.font(12)
        p.paragraph(f"Điều {n}. " + ARTICLE.format(n=n))
    # Recipients (left) and the signer's title (right), kept together.
    p.need(110)
    y = p.y + 24
    p.font(11, bold=True, italic=True)
    c.move_to(LEFT, y)
    c.show_text("Nơi nhận:")
    p.font(10)
    for i, r in enumerate([f"- Như Điều {articles};", "- Chủ tịch, các PCT UBND Thành phố;",
                           "- Cổng thông tin điện tử Thành phố;", "- Lưu: VT, KSTTHC."]):
        c.move_to(LEFT, y + 14 * (i + 1))
        c.show_text(r)
    p.font(12, bold=True)
    p.centered("TM. ỦY BAN NHÂN DÂN", 420, y)
    p.centered("CHỦ TỊCH", 420, y + 16)
    p.font(12, italic=True)
    p.centered("(đã ký số)", 420, y + 50)
    p.font(12, bold=True)
    p.centered("Nguyễn Văn An", 420, y + 80)
    surface.finish()
    return p.page


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: demo_letters.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, kind, number, subject, articles in LETTERS:
        pages = letter(os.path.join(out, name + ".pdf"), kind, number, subject, articles)
        print(f"{name}.pdf\t{pages}\t{kind} số {number}")


if __name__ == "__main__":
    main()
