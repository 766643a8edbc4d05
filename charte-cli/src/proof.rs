//! `charte proof ...`: verify, export, show and purge a proof-of-consent log.
//!
//! Exit status: 0 done (for `verify`: the chain is whole), 1 the chain is broken (or
//! `show` found no record, or a tampered charter), 2 the command could not run (bad URL or date, store down).

use std::io::Write;
use std::process::ExitCode;

use crate::out::{out, outln};

use charte_core::model::duration::CONSENT_LIFETIME;
use charte_core::proof::{Record, Store};
use charte_core::Category;
use clap::{Subcommand, ValueEnum};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

#[derive(Subcommand)]
pub enum ProofCommand {
    /// Check that the chain of records is whole (exit 0), or name the first record that
    /// breaks it (exit 1).
    Verify {
        /// The log: sqlite://PATH or postgres://USER@HOST:PORT/DATABASE.
        url: String,
    },
    /// Print the records, oldest first, as JSON (an array) or CSV.
    Export {
        /// The log: sqlite://PATH or postgres://USER@HOST:PORT/DATABASE.
        url: String,
        /// The output's format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// Only decisions made at or after this date (YYYY-MM-DD, UTC midnight, or an
        /// RFC 3339 time such as 2026-05-01T12:00:00Z).
        #[arg(long, value_parser = parse_date)]
        since: Option<u64>,
    },
    /// Print the records of one consent id (its decision, and its withdrawal if any).
    /// The charter they were decided on is checked against the hash the log holds: a
    /// tampered charter is reported (exit 1) and never printed.
    Show {
        /// The log: sqlite://PATH or postgres://USER@HOST:PORT/DATABASE.
        url: String,
        /// The consent id (the last field of the visitor's consent cookie).
        id: String,
        /// Print, instead, the charter the visitor was shown, as archived.
        #[arg(long, value_enum)]
        charter: Option<CharterFormat>,
        /// The archived charter's language.
        #[arg(long, value_enum, default_value_t = crate::LangArg::Fr)]
        lang: crate::LangArg,
    },
    /// Delete the records of decisions made before a date, leaving a checkpoint from
    /// which the rest still verifies. Refuses to run on a broken chain, and refuses a
    /// date later than now minus a consent's lifetime (6 months): the proof of consents
    /// still in force is kept, unless --force.
    Purge {
        /// The log: sqlite://PATH or postgres://USER@HOST:PORT/DATABASE.
        url: String,
        /// Delete decisions made before this date (YYYY-MM-DD, UTC midnight, or an
        /// RFC 3339 time); at the latest, now minus 6 months.
        #[arg(long, value_parser = parse_date)]
        before: u64,
        /// Purge even decisions whose consent may still be in force (made less than 6
        /// months ago), deleting the proof of consents the site still relies on.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// A JSON array of records.
    Json,
    /// CSV with a header line.
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum CharterFormat {
    /// Plain text.
    Text,
    /// The standalone HTML page.
    Html,
}

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time, as Unix seconds.
fn parse_date(text: &str) -> Result<u64, String> {
    let time = if let Ok(date) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        date.midnight().assume_utc()
    } else {
        OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
            format!("{text}: expected a date YYYY-MM-DD or an RFC 3339 time (2026-05-01T12:00:00Z)")
        })?
    };
    u64::try_from(time.unix_timestamp()).map_err(|_| format!("{text}: before 1970"))
}

/// Unix seconds as an RFC 3339 time in UTC (`2026-11-29T12:00:00Z`).
fn utc(seconds: u64) -> String {
    i64::try_from(seconds)
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("@{seconds}"))
}

fn state(record: &Record, category: Category) -> &'static str {
    if record.granted.contains(category) {
        "granted"
    } else {
        "refused"
    }
}

/// The export's columns, in order (the JSON object's keys are the same).
const COLUMNS: [&str; 13] = [
    "seq",
    "consent_id",
    "decided_at",
    "recorded_at",
    "revision",
    "statistics",
    "first_party",
    "third_party",
    "action",
    "route",
    "charter_sha256",
    "prev_hash",
    "hash",
];

fn fields(record: &Record) -> [String; 13] {
    [
        record.seq.to_string(),
        record.consent_id.clone(),
        utc(record.decided_at),
        utc(record.recorded_at),
        record.revision.clone(),
        state(record, Category::Statistics).into(),
        state(record, Category::FirstParty).into(),
        state(record, Category::ThirdParty).into(),
        record.action.as_str().into(),
        record.route.clone(),
        record.charter_sha256.clone().unwrap_or_default(),
        record.prev_hash.clone(),
        record.hash.clone(),
    ]
}

fn open(url: &str) -> Result<Store, ExitCode> {
    Store::open(url).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

pub fn run(command: ProofCommand) -> ExitCode {
    let result = match command {
        ProofCommand::Verify { url } => verify(&url),
        ProofCommand::Export { url, format, since } => export(&url, format, since),
        ProofCommand::Show {
            url,
            id,
            charter,
            lang,
        } => show(&url, &id, charter, lang),
        ProofCommand::Purge { url, before, force } => purge(&url, before, force),
    };
    result.unwrap_or_else(|code| code)
}

fn verify(url: &str) -> Result<ExitCode, ExitCode> {
    let verification = open(url)?.verify().map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    if let Some(broken) = &verification.broken {
        eprintln!("error: {broken}");
        return Ok(ExitCode::FAILURE);
    }
    let from = match &verification.checkpoint {
        Some(c) => format!(
            ", from the checkpoint of a purge on {} (decisions before {} deleted, up to record {})",
            utc(c.purged_at),
            utc(c.before),
            c.seq
        ),
        None => String::new(),
    };
    outln!(
        "chain whole: {} records{from}; last record {}, hash {}",
        verification.records,
        verification.head_seq,
        verification.head_hash
    );
    Ok(ExitCode::SUCCESS)
}

/// A write error of the export: a reader that has gone (`export ... | head`) ends it
/// quietly and successfully; any other is reported (exit 2).
fn failed_output(e: &std::io::Error) -> Option<ExitCode> {
    if crate::out::reader_gone(e) {
        return None;
    }
    eprintln!("error: cannot write the export: {e}");
    Some(ExitCode::from(2))
}

/// The I/O error under a CSV writer's error, so that a closed pipe is recognised.
fn io_error(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

fn export(url: &str, format: ExportFormat, since: Option<u64>) -> Result<ExitCode, ExitCode> {
    let mut store = open(url)?;
    let stdout = std::io::stdout().lock();
    let mut output_error: Option<std::io::Error> = None;
    let read = match format {
        ExportFormat::Csv => {
            let mut writer = csv::Writer::from_writer(stdout);
            let read = match writer.write_record(COLUMNS) {
                Err(e) => {
                    output_error = Some(io_error(e));
                    Ok(())
                }
                Ok(()) => {
                    store.export(since, |record| match writer.write_record(fields(&record)) {
                        Ok(()) => true,
                        Err(e) => {
                            output_error = Some(io_error(e));
                            false
                        }
                    })
                }
            };
            if output_error.is_none() {
                if let Err(e) = writer.flush() {
                    output_error = Some(e);
                }
            }
            read
        }
        ExportFormat::Json => {
            let mut out = std::io::BufWriter::new(stdout);
            let mut first = true;
            let mut write = |out: &mut std::io::BufWriter<_>, record: &Record| {
                let object: serde_json::Map<String, serde_json::Value> = COLUMNS
                    .iter()
                    .zip(fields(record))
                    .map(|(k, v)| {
                        let value = match *k {
                            "seq" => serde_json::Value::from(record.seq),
                            "charter_sha256" if v.is_empty() => serde_json::Value::Null,
                            _ => serde_json::Value::from(v),
                        };
                        (k.to_string(), value)
                    })
                    .collect();
                let separator = if std::mem::take(&mut first) {
                    "[\n  "
                } else {
                    ",\n  "
                };
                out.write_all(separator.as_bytes())?;
                serde_json::to_writer(&mut *out, &object)?;
                Ok::<(), std::io::Error>(())
            };
            let read = store.export(since, |record| match write(&mut out, &record) {
                Ok(()) => true,
                Err(e) => {
                    output_error = Some(e);
                    false
                }
            });
            if output_error.is_none() {
                let end: &[u8] = if first { b"[]\n" } else { b"\n]\n" };
                if let Err(e) = out.write_all(end).and_then(|()| out.flush()) {
                    output_error = Some(e);
                }
            }
            read
        }
    };
    if let Err(e) = read {
        eprintln!("error: {e}");
        return Err(ExitCode::from(2));
    }
    match output_error.as_ref().and_then(failed_output) {
        Some(code) => Err(code),
        None => Ok(ExitCode::SUCCESS),
    }
}

fn show(
    url: &str,
    id: &str,
    charter: Option<CharterFormat>,
    lang: crate::LangArg,
) -> Result<ExitCode, ExitCode> {
    let mut store = open(url)?;
    let fail = |e: charte_core::proof::ProofError| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    };
    let records = store.records_of(id).map_err(fail)?;
    let Some(first) = records.first() else {
        eprintln!("error: no record of consent {id}");
        return Ok(ExitCode::FAILURE);
    };
    // Every charter these records were decided on is checked against the hash the
    // record that archived it holds (as `verify` does): a forged charter is reported,
    // loudly, and never printed as if genuine.
    let mut revisions: Vec<&str> = records.iter().map(|r| r.revision.as_str()).collect();
    revisions.sort_unstable();
    revisions.dedup();
    let mut checked = Vec::new();
    let mut forged = false;
    for revision in revisions {
        match store.charter(revision) {
            Ok(archived) => checked.push((revision, archived)),
            Err(charte_core::proof::ProofError::Broken(broken)) => {
                eprintln!(
                    "error: {broken}\nerror: the archived charter of revision {revision} was \
                     tampered with: it is not what the visitor was shown"
                );
                forged = true;
            }
            Err(e) => return Err(fail(e)),
        }
    }
    if let Some(format) = charter {
        if forged {
            eprintln!("error: the charter is not printed; run `charte proof verify`");
            return Ok(ExitCode::FAILURE);
        }
        let archived = checked
            .into_iter()
            .find(|(revision, _)| *revision == first.revision)
            .and_then(|(_, archived)| archived);
        let Some(archived) = archived else {
            eprintln!(
                "error: the charter of revision {} is not archived",
                first.revision
            );
            return Ok(ExitCode::FAILURE);
        };
        let page = match (format, lang) {
            (CharterFormat::Text, crate::LangArg::Fr) => &archived.text_fr,
            (CharterFormat::Text, crate::LangArg::En) => &archived.text_en,
            (CharterFormat::Html, crate::LangArg::Fr) => &archived.html_fr,
            (CharterFormat::Html, crate::LangArg::En) => &archived.html_en,
        };
        out!("{page}");
        return Ok(ExitCode::SUCCESS);
    }
    for record in &records {
        outln!("record {}", record.seq);
        for (name, value) in COLUMNS.iter().zip(fields(record)).skip(1) {
            if !value.is_empty() {
                outln!("  {name:<15}{value}");
            }
        }
    }
    Ok(if forged {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn purge(url: &str, before: u64, force: bool) -> Result<ExitCode, ExitCode> {
    // A consent cookie is honoured for CONSENT_LIFETIME after its decision: the records
    // of decisions made since are the proof of consents still in force.
    let latest = charte_core::consent::now().saturating_sub(CONSENT_LIFETIME);
    if before > latest && !force {
        eprintln!(
            "error: --before {} would delete the proof of consents still in force (a \
             consent lasts 6 months): the latest allowed is {}; add --force to purge \
             them anyway",
            utc(before),
            utc(latest)
        );
        return Err(ExitCode::from(2));
    }
    match open(url)?.purge(before) {
        Ok(purged) => {
            match &purged.checkpoint {
                Some(c) if purged.deleted > 0 => outln!(
                    "purged {} records of decisions before {}; checkpoint: record {}, hash {}",
                    purged.deleted,
                    utc(before),
                    c.seq,
                    c.hash
                ),
                _ => outln!("nothing to purge before {}", utc(before)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(charte_core::proof::ProofError::Broken(broken)) => {
            eprintln!("error: {broken}\nerror: the chain is broken: nothing purged");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(2))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_utc() {
        assert_eq!(parse_date("2026-05-01"), Ok(1_777_593_600));
        assert_eq!(
            parse_date("2026-05-01T12:00:00Z"),
            Ok(1_777_593_600 + 43_200)
        );
        assert_eq!(
            parse_date("2026-05-01T14:00:00+02:00"),
            Ok(1_777_593_600 + 43_200)
        );
        assert!(parse_date("01/05/2026").is_err());
        assert_eq!(utc(1_777_593_600), "2026-05-01T00:00:00Z");
    }
}
