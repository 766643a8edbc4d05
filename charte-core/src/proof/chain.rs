//! The chain: the bytes each record's hash covers, and the walk that checks it (the
//! format is documented in the [module](super) docs; change it only with a new version
//! line, or every existing log stops verifying).

use sha2::{Digest, Sha256};

use super::{ArchivedCharter, Broken, Checkpoint, Record};
use crate::model::Category;

/// The `prev_hash` of record 1.
pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn text(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(b' ');
    out.extend_from_slice(value.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

fn word(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(b' ');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}

fn hex(digest: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(digest.len() * 2);
    for byte in digest {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 15)] as char);
    }
    out
}

/// The bytes a record's hash covers (everything but the hash itself).
pub(crate) fn canonical(record: &Record) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + record.route.len());
    out.extend_from_slice(b"charte-proof 1\n");
    word(&mut out, "seq", &record.seq.to_string());
    word(&mut out, "prev", &record.prev_hash);
    text(&mut out, "consent", &record.consent_id);
    word(&mut out, "decided", &record.decided_at.to_string());
    word(&mut out, "recorded", &record.recorded_at.to_string());
    text(&mut out, "revision", &record.revision);
    for category in Category::CONSENTABLE {
        let state = if record.granted.contains(category) {
            "granted"
        } else {
            "refused"
        };
        word(&mut out, category.as_str(), state);
    }
    word(&mut out, "action", record.action.as_str());
    text(&mut out, "route", &record.route);
    word(
        &mut out,
        "charter",
        record.charter_sha256.as_deref().unwrap_or(""),
    );
    out
}

/// The record's hash (hex), as it should be stored.
pub(crate) fn hash(record: &Record) -> String {
    hex(&Sha256::digest(canonical(record)))
}

/// The SHA-256 (hex) of an archived charter's revision and texts.
pub(crate) fn charter_hash(
    revision: &str,
    text_fr: &str,
    text_en: &str,
    html_fr: &str,
    html_en: &str,
) -> String {
    let mut out = Vec::with_capacity(
        64 + revision.len() + text_fr.len() + text_en.len() + html_fr.len() + html_en.len(),
    );
    out.extend_from_slice(b"charte-charter 1\n");
    for part in [revision, text_fr, text_en, html_fr, html_en] {
        out.extend_from_slice(part.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(part.as_bytes());
        out.push(b'\n');
    }
    hex(&Sha256::digest(out))
}

impl ArchivedCharter {
    /// Whether the stored texts still hash to [`ArchivedCharter::sha256`].
    pub fn is_intact(&self) -> bool {
        charter_hash(
            &self.revision,
            &self.text_fr,
            &self.text_en,
            &self.html_fr,
            &self.html_en,
        ) == self.sha256
    }
}

/// What is wrong with the archived charter of `record`'s revision, if anything: it is
/// missing, its texts do not hash to its stored SHA-256 (edited), or it is not the one
/// whose hash `record` holds (replaced). [`Walk`] asks it of every record, and
/// [`Store::charter`](super::Store::charter) of the record holding the hash, so that
/// `verify` and `show --charter` judge a charter alike.
pub(crate) fn charter_problem(
    archived: Option<&ArchivedCharter>,
    record: &Record,
) -> Option<String> {
    match archived {
        None => Some(format!(
            "the charter of revision {} is not archived",
            record.revision
        )),
        Some(charter)
            if !charter.is_intact()
                || record
                    .charter_sha256
                    .as_ref()
                    .is_some_and(|sha| *sha != charter.sha256) =>
        {
            Some(format!(
                "the archived charter of revision {} is not the one this record was shown (edited)",
                record.revision
            ))
        }
        Some(_) => None,
    }
}

/// The walk of [`Store::verify`](super::Store::verify): fed the records in `seq` order,
/// it remembers the first one that breaks the chain.
pub(crate) struct Walk {
    expected_seq: u64,
    expected_prev: String,
    charters: Vec<ArchivedCharter>,
    pub(crate) records: u64,
    pub(crate) broken: Option<Broken>,
}

impl Walk {
    pub(crate) fn new(checkpoint: Option<&Checkpoint>, charters: Vec<ArchivedCharter>) -> Self {
        Walk {
            expected_seq: checkpoint.map_or(1, |c| c.seq + 1),
            expected_prev: checkpoint.map_or_else(|| GENESIS.to_string(), |c| c.hash.clone()),
            charters,
            records: 0,
            broken: None,
        }
    }

    /// Checks the next record; false once the chain is broken (the walk can stop).
    pub(crate) fn push(&mut self, record: &Record) -> bool {
        if self.broken.is_some() {
            return false;
        }
        self.records += 1;
        let reason = if record.seq != self.expected_seq {
            Some(if record.seq < self.expected_seq {
                format!(
                    "its number comes before record {} (inserted, or left behind by a purge)",
                    self.expected_seq
                )
            } else {
                format!(
                    "record {} is missing before it (deleted)",
                    self.expected_seq
                )
            })
        } else if hash(record) != record.hash {
            Some("its content does not match its hash (edited, or moved)".to_string())
        } else if record.prev_hash != self.expected_prev {
            Some("it does not hold the previous record's hash (a record before it was edited, deleted or inserted)".to_string())
        } else {
            let archived = self.charters.iter().find(|c| c.revision == record.revision);
            charter_problem(archived, record)
        };
        if let Some(reason) = reason {
            self.broken = Some(Broken {
                seq: record.seq,
                consent_id: Some(record.consent_id.clone()),
                reason,
            });
            return false;
        }
        self.expected_seq = record.seq + 1;
        self.expected_prev.clone_from(&record.hash);
        true
    }

    /// Ends the walk against the head the store holds: records missing at the end
    /// break the chain too.
    pub(crate) fn finish(&mut self, head_seq: u64, head_hash: &str) {
        if self.broken.is_some() {
            return;
        }
        let last_seq = self.expected_seq - 1;
        if head_seq > last_seq {
            self.broken = Some(Broken {
                seq: last_seq + 1,
                consent_id: None,
                reason: format!(
                    "records {} to {head_seq} are missing (deleted): the head of the chain is record {head_seq}",
                    last_seq + 1
                ),
            });
        } else if head_seq < last_seq || head_hash != self.expected_prev {
            self.broken = Some(Broken {
                seq: last_seq,
                consent_id: None,
                reason: format!(
                    "the head of the chain says record {head_seq} is the last, with another hash (record inserted at the end, or head edited)"
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Categories;
    use crate::proof::Action;

    fn record(seq: u64, prev: &str) -> Record {
        let mut record = Record {
            seq,
            consent_id: "0123456789abcdefghijklmnop".into(),
            decided_at: 1_764_000_000,
            recorded_at: 1_764_000_001,
            revision: "3f2a9c0d11e4b5a6".into(),
            granted: Categories::of(&[Category::Statistics]),
            action: Action::Partial,
            route: "/consent".into(),
            charter_sha256: None,
            prev_hash: prev.into(),
            hash: String::new(),
        };
        record.hash = hash(&record);
        record
    }

    #[test]
    fn the_canonical_bytes_are_the_documented_ones() {
        let text = String::from_utf8(canonical(&record(1, GENESIS))).unwrap();
        assert_eq!(
            text,
            format!(
                "charte-proof 1\nseq 1\nprev {GENESIS}\nconsent 26:0123456789abcdefghijklmnop\n\
                 decided 1764000000\nrecorded 1764000001\nrevision 16:3f2a9c0d11e4b5a6\n\
                 statistics granted\nfirst-party refused\nthird-party refused\n\
                 action partial\nroute 8:/consent\ncharter \n"
            )
        );
        // A fixed vector: a change of the bytes or the hash would orphan existing logs.
        assert_eq!(
            hash(&record(1, GENESIS)),
            hex(&Sha256::digest(text.as_bytes()))
        );
    }

    #[test]
    fn a_route_cannot_pass_for_another_field() {
        let mut a = record(1, GENESIS);
        a.route = "/a\ncharter x".into();
        let mut b = record(1, GENESIS);
        b.route = "/a".into();
        b.charter_sha256 = Some("x".into());
        assert_ne!(canonical(&a), canonical(&b));
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = record(2, GENESIS);
        let edits: [fn(&mut Record); 11] = [
            |r| r.seq += 1,
            |r| r.prev_hash = "1".repeat(64),
            |r| r.consent_id.push('x'),
            |r| r.decided_at += 1,
            |r| r.recorded_at += 1,
            |r| r.revision.push('0'),
            |r| r.granted = Categories::EMPTY,
            |r| r.action = Action::Grant,
            |r| r.route.push('/'),
            |r| r.charter_sha256 = Some(String::new() + "a"),
            |r| r.granted.insert(Category::ThirdParty),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut edited = base.clone();
            edit(&mut edited);
            assert_ne!(hash(&edited), base.hash, "edit {i}");
        }
    }
}
