//! Generated e-invoices (Circular 78 shape) for the XML tests and benches.

/// An e-invoice (Circular 78 shape) of about `lines` goods lines, with Windows line ends and
/// an empty `DSCKS/NBan` and `NMua` as invoicing software leaves them.
pub fn invoice(n: usize, lines: usize, seller_mst: &str) -> String {
    let goods: String = (1..=lines)
        .map(|i| {
            format!(
                "\r\n        <HHDVu><TChat>1</TChat><STT>{i}</STT><THHDVu>Dịch vụ ký số từ xa gói {i} \
                 — Đà Nẵng &amp; Huế</THHDVu><DVTinh>Gói</DVTinh><SLuong>{i}</SLuong>\
                 <DGia>1500000</DGia><ThTien>{}</ThTien><TSuat>10%</TSuat></HHDVu>",
                i * 1_500_000
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
         <HDon xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\r\n  \
         <DLHDon Id=\"DLHDon-{n}\">\r\n    <TTChung><PBan>2.0.1</PBan><THDon>Hóa đơn giá trị \
         gia tăng</THDon><KHMSHDon>1</KHMSHDon><KHHDon>C26TKY</KHHDon><SHDon>{n}</SHDon>\
         <NLap>2026-12-04</NLap><DVTTe>VND</DVTTe></TTChung>\r\n    <NDHDon>\r\n      \
         <NBan><Ten>CÔNG TY TNHH KYSO</Ten><MST>{seller_mst}</MST><DChi>Số 1 Phố Huế, Hà \
         Nội</DChi></NBan>\r\n      <NMua><Ten>Công ty Cổ phần Phần mềm Sài Gòn</Ten>\
         <MST>0312345678</MST></NMua>\r\n      <DSHHDVu>{goods}\r\n      </DSHHDVu>\r\n    \
         </NDHDon>\r\n    <!-- ghi chú: không thuộc phần ký -->\r\n  </DLHDon>\r\n  \
         <DLQRCode>00020101021238</DLQRCode>\r\n  <DSCKS>\r\n    <NBan></NBan>\r\n    \
         <NMua/>\r\n  </DSCKS>\r\n</HDon>\r\n"
    )
}
