//! The store a URL names.

use std::path::PathBuf;

use super::ProofError;

/// Where the log lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `sqlite://path`: the file (relative to the current directory unless absolute).
    Sqlite(PathBuf),
    /// `postgres://...` or `postgresql://...`: the URL as the driver reads it.
    Postgres(String),
}

pub(crate) fn parse(url: &str) -> Result<Target, ProofError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(ProofError::Url(format!(
                "{url}: no file after sqlite:// (write sqlite://proof.sqlite or sqlite:///abs/path)"
            )));
        }
        if cfg!(feature = "proof-sqlite") {
            return Ok(Target::Sqlite(PathBuf::from(path)));
        }
        return Err(ProofError::Url(format!(
            "{url}: this build has no SQLite store (feature proof-sqlite)"
        )));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        if cfg!(feature = "proof-postgres") {
            return Ok(Target::Postgres(url.to_string()));
        }
        return Err(ProofError::Url(format!(
            "{}: this build has no PostgreSQL store (feature proof-postgres)",
            redact(url)
        )));
    }
    Err(ProofError::Url(format!(
        "{}: expected sqlite://PATH or postgres://USER@HOST:PORT/DATABASE",
        redact(url)
    )))
}

/// The URL without a password, for messages.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_store() {
        if cfg!(feature = "proof-sqlite") {
            assert_eq!(
                parse("sqlite://proof.sqlite"),
                Ok(Target::Sqlite("proof.sqlite".into()))
            );
            assert_eq!(
                parse("sqlite:///var/lib/p.sqlite"),
                Ok(Target::Sqlite("/var/lib/p.sqlite".into()))
            );
        }
        assert!(parse("sqlite://").is_err());
        assert!(parse("mysql://x").is_err());
        assert!(parse("proof.sqlite").is_err());
    }

    #[test]
    fn passwords_stay_out_of_messages() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        let Err(ProofError::Url(message)) = parse("mysql://u:secret@h/db") else {
            panic!()
        };
        assert!(!message.contains("secret"), "{message}");
    }
}
