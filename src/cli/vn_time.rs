//! Times as Vietnamese readers read them.

use time::OffsetDateTime;

/// An RFC 3339 UTC time (`2026-11-22T08:32:26Z`) in Vietnam time with its offset, as the
/// visible stamp shows times (`2026-11-22 15:32:26 (UTC+7)`); anything else as it is.
pub(super) fn vietnam_time(utc: &str) -> String {
    let parse = || -> Option<OffsetDateTime> {
        let s = utc.strip_suffix('Z')?;
        let (date, clock) = s.split_once('T')?;
        let mut d = date.split('-').map(str::parse::<i32>);
        let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
        let mut c = clock.split(':').map(str::parse::<u8>);
        let (h, min, sec) = (c.next()?.ok()?, c.next()?.ok()?, c.next()?.ok()?);
        let date = time::Date::from_calendar_date(
            y,
            time::Month::try_from(u8::try_from(m).ok()?).ok()?,
            u8::try_from(day).ok()?,
        )
        .ok()?;
        let t = time::Time::from_hms(h, min, sec).ok()?;
        Some(time::PrimitiveDateTime::new(date, t).assume_utc())
    };
    match (parse(), time::UtcOffset::from_hms(7, 0, 0)) {
        (Some(t), Ok(vn)) => {
            let t = t.to_offset(vn);
            format!(
                "{}-{:02}-{:02} {:02}:{:02}:{:02} (UTC+7)",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        _ => utc.to_owned(),
    }
}
