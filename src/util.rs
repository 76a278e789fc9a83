//! Small helpers shared by the library's views.

/// Serialises bytes as lowercase hex (for `CKA_ID`, serial numbers).
pub fn hex_bytes<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}
