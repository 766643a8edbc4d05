//! [`ProofLog`]: the writer thread and its queue (group commit).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc as std_mpsc, Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot};

use super::chain::charter_hash;
use super::store::{self, Backend, Entry};
use super::url::redact;
use super::{ArchivedCharter, Decision, ProofError, Receipt};
use crate::model::{Charter, Lang};
use crate::render::Format;

/// Decisions waiting for the writer; a full queue makes the next decisions wait for
/// room (backpressure) rather than grow without bound.
const QUEUE: usize = 4096;

/// At most this many records per transaction, so that one commit stays short.
const MAX_BATCH: usize = 1024;

struct Job {
    entry: Entry,
    answer: oneshot::Sender<Result<Receipt, ProofError>>,
}

/// What the writer's queue carries.
enum Message {
    Job(Job),
    /// The last handle was dropped: commit what is queued, then close the store.
    Close,
}

/// The log decisions are appended to (see the [module](super) docs).
///
/// One writer thread per log owns the database connection. Decisions queue up (a
/// bounded queue) while it commits; it then takes every decision waiting and commits
/// them in one transaction (group commit), and answers each. The answers are
/// runtime-agnostic futures: the log works the same under tokio (axum) and actix-web.
/// When a commit fails, every decision of that transaction gets the error, and the
/// writer reconnects for the next one: the log recovers when the store comes back.
///
/// Cloning is cheap (one log, several handles).
///
/// # Dropping the last handle
///
/// Dropping the last handle closes the log and **blocks until the writer thread has
/// ended**: the decisions already queued are committed and answered, the database
/// connection is closed, then the drop returns. Afterwards the files of a SQLite log
/// may be deleted or replaced (deleting them while a connection was still closing
/// could hang SQLite's file locking in another connection that reused the file's
/// inode). The wait is the time to commit what is queued (at most 4,096 decisions, in
/// transactions of at most 1,024; a SQLite commit waits at most 5 s for a lock), so
/// drop the last handle where blocking is acceptable, not inside a latency-sensitive
/// async task. A decision not yet queued then, or a [`ProofLog::record`] future polled
/// afterwards, fails with [`ProofError::Closed`]: it has no record, and the layer
/// removes its consent cookie. (A layer made with `.proof(log)` keeps its log for the
/// life of the process.)
#[derive(Clone)]
pub struct ProofLog {
    shared: Arc<Shared>,
}

/// What the handles of one log share; its drop (the last handle's) closes the log.
struct Shared {
    sender: mpsc::Sender<Message>,
    /// The revisions this process knows are archived: their charter is rendered and
    /// sent with a decision only until then.
    archived: Arc<Mutex<Vec<String>>>,
    /// Set when the last handle is dropped, for a writer whose queue was too full to
    /// take the [`Message::Close`].
    closing: Arc<AtomicBool>,
    writer: Option<JoinHandle<()>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Release);
        // Wakes an idle writer. When the queue is full the message is not needed: the
        // writer is busy, and reads `closing` after its batch.
        let _ = self.sender.try_send(Message::Close);
        if let Some(writer) = self.writer.take() {
            // The writer never waits for a handle or a runtime: this join ends once the
            // queued decisions are committed. A writer that panicked has nothing to close.
            let _ = writer.join();
        }
    }
}

impl std::fmt::Debug for ProofLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofLog").finish_non_exhaustive()
    }
}

impl ProofLog {
    /// Opens the log at `url` (`sqlite://path` or `postgres://...`, see the
    /// [module](super) docs), creating the database file or the tables when missing, and
    /// starts its writer thread. Blocks until the store is open; call it at start-up
    /// (it may be called inside an async runtime: the connection is made on the
    /// writer's thread).
    ///
    /// # Errors
    /// [`ProofError::Url`] for a URL naming no store of this build, [`ProofError::Store`]
    /// when the database cannot be opened or created, [`ProofError::Schema`] when a
    /// newer charte wrote it. A site should not start without its proof store.
    pub fn open(url: &str) -> Result<ProofLog, ProofError> {
        super::url::parse(url)?;
        let (sender, receiver) = mpsc::channel(QUEUE);
        let archived = Arc::new(Mutex::new(Vec::new()));
        let closing = Arc::new(AtomicBool::new(false));
        let (opened_tx, opened_rx) = std_mpsc::sync_channel(1);
        let writer = Writer {
            url: url.to_string(),
            backend: None,
            archived: Arc::clone(&archived),
            closing: Arc::clone(&closing),
        };
        let writer = std::thread::Builder::new()
            .name("charte-proof".into())
            .spawn(move || writer.run(receiver, opened_tx))
            .map_err(|e| ProofError::Store(format!("cannot start the writer thread: {e}")))?;
        let opened = opened_rx.recv().map_err(|_| ProofError::Closed);
        if let Err(error) = opened.and_then(|result| result) {
            // The thread has ended or is ending (it closed what it opened before
            // answering): wait for it, so that nothing of this log outlives the error.
            let _ = writer.join();
            return Err(error);
        }
        Ok(ProofLog {
            shared: Arc::new(Shared {
                sender,
                archived,
                closing,
                writer: Some(writer),
            }),
        })
    }

    /// Appends the record of `decision`, made on `charter`: the future resolves once the
    /// record is committed (or the commit failed). The first decision of a revision
    /// archives the charter as rendered now (Text and Html, French and English).
    ///
    /// The future does not need a particular runtime. Dropping it before the writer
    /// takes the decision withdraws it (a response never sent leaves no record).
    ///
    /// # Errors
    /// [`ProofError::Store`] when the store could not commit, [`ProofError::Closed`] when
    /// the writer is gone.
    pub fn record(
        &self,
        charter: &Charter,
        decision: Decision,
    ) -> impl Future<Output = Result<Receipt, ProofError>> + Send + 'static {
        let revision = charter.revision();
        let known = self
            .shared
            .archived
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|r| r == revision);
        let archive = (!known).then(|| Arc::new(archive(charter)));
        let (answer, answered) = oneshot::channel();
        let job = Message::Job(Job {
            entry: Entry {
                decision,
                revision: revision.to_string(),
                charter: archive,
            },
            answer,
        });
        // Only the queue's sender, not the log: a pending future does not keep the log
        // open, and its drop never waits for the writer.
        let sender = self.shared.sender.clone();
        async move {
            sender.send(job).await.map_err(|_| ProofError::Closed)?;
            answered.await.map_err(|_| ProofError::Closed)?
        }
    }
}

/// The charter as a visitor deciding on it is shown it.
fn archive(charter: &Charter) -> ArchivedCharter {
    let text_fr = charter.render(Format::Text, Lang::Fr);
    let text_en = charter.render(Format::Text, Lang::En);
    let html_fr = charter.render(Format::Html, Lang::Fr);
    let html_en = charter.render(Format::Html, Lang::En);
    ArchivedCharter {
        revision: charter.revision().to_string(),
        archived_at: 0,
        sha256: charter_hash(charter.revision(), &text_fr, &text_en, &html_fr, &html_en),
        text_fr,
        text_en,
        html_fr,
        html_en,
    }
}

struct Writer {
    url: String,
    backend: Option<Box<dyn Backend>>,
    archived: Arc<Mutex<Vec<String>>>,
    closing: Arc<AtomicBool>,
}

impl Writer {
    fn run(
        mut self,
        mut receiver: mpsc::Receiver<Message>,
        opened: std_mpsc::SyncSender<Result<(), ProofError>>,
    ) {
        match store::open(&self.url, store::Create::Yes) {
            Ok(backend) => {
                self.backend = Some(backend);
                let _ = opened.send(Ok(()));
            }
            Err(e) => {
                let _ = opened.send(Err(e));
                return;
            }
        }
        let mut batch = Vec::new();
        while let Some(message) = receiver.blocking_recv() {
            let mut close = false;
            let mut next = Some(message);
            while let Some(message) = next.take() {
                match message {
                    Message::Job(job) => batch.push(job),
                    Message::Close => close = true,
                }
                if batch.len() < MAX_BATCH {
                    next = receiver.try_recv().ok();
                }
            }
            if close || self.closing.load(Ordering::Acquire) {
                // No new decisions; the ones queued are still received (and committed),
                // then `blocking_recv` answers `None`, even while a pending future holds
                // a sender.
                receiver.close();
            }
            // A decision whose response was dropped (the client went away) was never
            // sent: recording it would log a consent no visitor holds.
            batch.retain(|job| !job.answer.is_closed());
            if !batch.is_empty() {
                self.commit(&mut batch);
            }
        }
        // Closed here, on this thread, before the handle's drop (joining it) returns.
        drop(self.backend.take());
    }

    fn commit(&mut self, batch: &mut Vec<Job>) {
        let entries: Vec<&Entry> = batch.iter().map(|job| &job.entry).collect();
        let result = match &mut self.backend {
            Some(backend) => backend.append(&entries, crate::consent::now()),
            None => store::open(&self.url, store::Create::Yes).and_then(|backend| {
                self.backend
                    .insert(backend)
                    .append(&entries, crate::consent::now())
            }),
        };
        match result {
            Ok(receipts) => {
                let mut archived = self.archived.lock().unwrap_or_else(PoisonError::into_inner);
                for entry in &entries {
                    if entry.charter.is_some() && !archived.contains(&entry.revision) {
                        archived.push(entry.revision.clone());
                    }
                }
                drop(archived);
                for (job, receipt) in batch.drain(..).zip(receipts) {
                    let _ = job.answer.send(Ok(receipt));
                }
            }
            Err(error) => {
                // Start again from a fresh connection: a broken one (a restarted server,
                // a file replaced) would fail every later commit.
                self.backend = None;
                tracing::error!(
                    store = %redact(&self.url),
                    decisions = batch.len(),
                    %error,
                    "proof of consent: the store could not commit these decisions"
                );
                for job in batch.drain(..) {
                    let _ = job.answer.send(Err(error.clone()));
                }
            }
        }
    }
}
