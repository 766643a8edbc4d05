//! The Rust identifiers `charter!` makes from cookie names and file stems.

/// The constant name generated for a cookie: SCREAMING_SNAKE_CASE of its name
/// (every character that cannot be in an identifier becomes `_`), prefixed with
/// `COOKIE_` when the result would not be an identifier.
pub fn constant_name(cookie_name: &str) -> String {
    let mut ident: String = cookie_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let starts_badly = ident.chars().next().is_none_or(|c| c.is_ascii_digit());
    if starts_badly || ident.chars().all(|c| c == '_') {
        ident.insert_str(0, "COOKIE_");
    }
    ident
}

#[cfg(feature = "codegen")]
/// The module name made from a file stem: snake_case, or `None` when no identifier
/// can be made (a stem starting with a digit, say, or `self`, `super` and `crate`,
/// which not even a raw identifier can spell).
pub fn module_name(stem: &str) -> Option<String> {
    let ident: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let valid = ident.chars().next().is_some_and(|c| !c.is_ascii_digit())
        && ident.chars().any(|c| c != '_')
        && !matches!(ident.as_str(), "self" | "super" | "crate");
    valid.then_some(ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_names_are_screaming_snake_identifiers() {
        assert_eq!(constant_name("django_language"), "DJANGO_LANGUAGE");
        assert_eq!(constant_name("__Host-id"), "__HOST_ID");
        assert_eq!(constant_name("1st"), "COOKIE_1ST");
        assert_eq!(constant_name("-"), "COOKIE__");
    }

    #[test]
    #[cfg(feature = "codegen")]
    fn module_names_are_snake_case() {
        assert_eq!(module_name("roubaix").as_deref(), Some("roubaix"));
        assert_eq!(
            module_name("Dunkerque-Agglo").as_deref(),
            Some("dunkerque_agglo")
        );
        assert_eq!(module_name("2024"), None);
        assert_eq!(module_name("Self"), None);
        assert_eq!(module_name("crate"), None);
        assert_eq!(module_name("type").as_deref(), Some("type"));
    }
}
