//! The `Expires` attribute's date, read with the cookie-date algorithm of RFC 6265bis
//! §5.1.1 (what browsers do: lenient about format, strict about values).

/// The date as Unix seconds, or `None` when browsers would ignore the attribute.
pub fn parse(value: &[u8]) -> Option<i64> {
    let mut time = None;
    let mut day = None;
    let mut month = None;
    let mut year = None;
    for token in value.split(|b| is_delimiter(*b)).filter(|t| !t.is_empty()) {
        if time.is_none() {
            if let Some(t) = parse_time(token) {
                time = Some(t);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = leading_digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            if let Some(m) = parse_month(token) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = leading_digits(token, 2, 4) {
                year = Some(y);
                continue;
            }
        }
    }
    let (hour, minute, second) = time?;
    let (day, month, mut year) = (day?, month?, year?);
    if (70..=99).contains(&year) {
        year += 1900;
    } else if year <= 69 {
        year += 2000;
    }
    if !(1..=31).contains(&day) || year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(i64::from(year), i64::from(month), i64::from(day));
    Some(days * 86_400 + i64::from(hour) * 3_600 + i64::from(minute) * 60 + i64::from(second))
}

fn is_delimiter(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x2f | 0x3b..=0x40 | 0x5b..=0x60 | 0x7b..=0x7e)
}

/// `min..=max` digits, then anything that is not a digit.
fn leading_digits(token: &[u8], min: usize, max: usize) -> Option<u32> {
    let count = token.iter().take_while(|b| b.is_ascii_digit()).count();
    if count < min || count > max {
        return None;
    }
    Some(
        token[..count]
            .iter()
            .fold(0, |n, d| n * 10 + u32::from(d - b'0')),
    )
}

/// `hms-time = time-field ":" time-field ":" time-field`, each 1 or 2 digits, then
/// anything that is not a digit.
fn parse_time(token: &[u8]) -> Option<(u32, u32, u32)> {
    let mut fields = token.splitn(3, |b| *b == b':');
    let hour = fields.next()?;
    let minute = fields.next()?;
    let second = fields.next()?;
    let whole = |f: &[u8]| (1..=2).contains(&f.len()) && f.iter().all(u8::is_ascii_digit);
    if !whole(hour) || !whole(minute) {
        return None;
    }
    Some((
        leading_digits(hour, 1, 2)?,
        leading_digits(minute, 1, 2)?,
        leading_digits(second, 1, 2)?,
    ))
}

fn parse_month(token: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let prefix = token.get(..3)?;
    MONTHS
        .iter()
        .position(|m| prefix.eq_ignore_ascii_case(&m[..]))
        .map(|i| i as u32 + 1)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_the_http_date_format() {
        assert_eq!(parse(b"Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse(b"Sun, 23 Nov 2025 10:00:00 GMT"), Some(1_763_892_000));
        assert_eq!(parse(b"Tue, 29 Feb 2028 23:59:59 GMT"), Some(1_835_481_599));
    }

    #[test]
    fn reads_the_formats_browsers_accept() {
        // RFC 850 with a two-digit year, and asctime.
        assert_eq!(
            parse(b"Sunday, 23-Nov-25 10:00:00 GMT"),
            Some(1_763_892_000)
        );
        assert_eq!(parse(b"Sun Nov 23 10:00:00 2025"), Some(1_763_892_000));
    }

    #[test]
    fn ignores_impossible_dates() {
        assert_eq!(parse(b""), None);
        assert_eq!(parse(b"yesterday"), None);
        assert_eq!(parse(b"Sun, 31 Nov 2025 10:00:00 GMT"), None);
        assert_eq!(parse(b"Sun, 23 Nov 2025 24:00:00 GMT"), None);
        assert_eq!(parse(b"Sun, 23 Nov 1600 10:00:00 GMT"), None);
        assert_eq!(parse(b"Sun, 23 Nov 2025 GMT"), None);
    }
}
