//! Reading bytes off the wire as browsers read them: a `Set-Cookie` line (RFC 6265bis
//! §5.6), the request's `Cookie` header (§5.7.4) and cookie dates (§5.1.1). Nothing here
//! allocates, and nothing knows of charters: it imports only the name rules of the model.

mod cookie_date;
mod cookie_header;
mod scan;
mod set_cookie;

pub use cookie_date::parse as parse_cookie_date;
pub use cookie_header::request_cookies;
pub use set_cookie::{
    read_name, SetCookie, Unreadable, MAX_ATTRIBUTE_VALUE_LEN, MAX_NAME_VALUE_LEN,
};
