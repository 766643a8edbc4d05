//! A throwaway PostgreSQL cluster for tests: `initdb` in a temporary directory, a free
//! port on 127.0.0.1, run as the `postgres` user when the tests run as root (`initdb`
//! refuses root). Shared by the test crates with `#[path = ".../pg_cluster/mod.rs"]`.
//!
//! When PostgreSQL is not installed, [`Cluster::shared`] and [`Cluster::start`] print a
//! loud `SKIPPED` line and return `None`; with `CHARTE_REQUIRE_POSTGRES=1` (CI sets it)
//! they panic instead. Binaries: `CHARTE_POSTGRES_BIN`, else the newest
//! `/usr/lib/postgresql/*/bin` (Debian), else `initdb` on `PATH`.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// A running cluster; stopped and deleted when dropped.
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    /// `Some("postgres")` when the server must run as that user (tests run as root).
    run_as: Option<String>,
    databases: AtomicUsize,
}

fn required() -> bool {
    std::env::var("CHARTE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

fn skip(test: &str, why: &str) -> Option<Arc<Cluster>> {
    if required() {
        panic!("{test}: PostgreSQL is required (CHARTE_REQUIRE_POSTGRES=1) but {why}");
    }
    eprintln!(
        "\n*** SKIPPED {test}: {why} (install Debian's `postgresql`; \
         CHARTE_REQUIRE_POSTGRES=1 makes this a failure) ***\n"
    );
    None
}

fn find_bin() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CHARTE_POSTGRES_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

fn is_root() -> bool {
    // The owner of a file this process just created is this process's user.
    let probe = std::env::temp_dir().join(format!("charte-uid-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").expect("write to the temp directory");
    let uid = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&probe).unwrap());
    let _ = std::fs::remove_file(&probe);
    uid == 0
}

fn check(what: &str, output: std::io::Result<Output>) -> Output {
    let output = output.unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

impl Cluster {
    /// The cluster shared by the tests of this process that are running: started by the
    /// first, stopped when the last one drops its handle.
    pub fn shared(test: &str) -> Option<Arc<Cluster>> {
        static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(cluster) = shared.upgrade() {
            return Some(cluster);
        }
        let cluster = Cluster::start(test)?;
        *shared = Arc::downgrade(&cluster);
        Some(cluster)
    }

    /// A cluster of the test's own (to stop and start it).
    pub fn start(test: &str) -> Option<Arc<Cluster>> {
        let Some(bin) = find_bin() else {
            return skip(test, "PostgreSQL's initdb was not found");
        };
        let dir =
            std::env::temp_dir().join(format!("charte-pg-{}-{}", std::process::id(), free_port()));
        std::fs::create_dir_all(&dir).expect("create the cluster's directory");
        let run_as = if is_root() {
            check(
                "chown the cluster's directory to postgres",
                Command::new("chown").arg("postgres:").arg(&dir).output(),
            );
            Some("postgres".to_string())
        } else {
            None
        };
        let cluster = Cluster {
            dir,
            bin,
            port: free_port(),
            run_as,
            databases: AtomicUsize::new(0),
        };
        check(
            "initdb",
            cluster
                .command("initdb")
                .args([
                    "-N",
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "-D",
                ])
                .arg(cluster.data())
                .output(),
        );
        cluster.resume();
        Some(Arc::new(cluster))
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// A command of the cluster's binaries, as the cluster's user.
    fn command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", user, "--"]).arg(program);
                command
            }
            None => Command::new(program),
        }
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Starts the server again after [`Cluster::stop`] (same port, same data).
    pub fn resume(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={}",
            self.port,
            self.dir.display()
        );
        check(
            "pg_ctl start",
            self.command("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .arg("-l")
                .arg(self.dir.join("log"))
                .args(["-w", "-o", &options, "start"])
                .output(),
        );
    }

    /// Stops the server (fast shutdown: connections are cut).
    pub fn stop(&self) {
        check(
            "pg_ctl stop",
            self.command("pg_ctl")
                .arg("-D")
                .arg(self.data())
                .args(["-m", "fast", "-w", "stop"])
                .output(),
        );
    }

    /// A new, empty database; its URL.
    pub fn database(&self) -> String {
        let name = format!("t{}", self.databases.fetch_add(1, Ordering::Relaxed));
        check(
            "createdb",
            self.command("createdb")
                .args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &self.port.to_string(),
                    "-U",
                    "postgres",
                    &name,
                ])
                .output(),
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Runs SQL with `psql` on the database of `url` (as a user would, by hand); its
    /// output, unaligned, tuples only.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        let output = check(
            &format!("psql {sql}"),
            self.command("psql")
                .args([
                    "-X",
                    "-A",
                    "-t",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "-d",
                    url,
                    "-c",
                    sql,
                ])
                .output(),
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    /// The cluster's directory (its server log is `log` there).
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
