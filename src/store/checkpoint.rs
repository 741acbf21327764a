//! The checkpointer: copies the WAL into the database file on a thread and connection of its
//! own, and starts the WAL over before it grows without bound.
//!
//! SQLite's default checkpoints inside a commit, while the writer connection is held, so every
//! writer would wait behind a thousand scattered pages and their fsync. Here a PASSIVE checkpoint
//! (it takes no lock a writer or reader waits for) runs every [`EVERY`]. But a PASSIVE checkpoint
//! never lets the WAL start over: new frames are always appended while it copies, so it is never
//! caught up when the next write begins. Left alone the WAL grew to 740 MB in `bench --quick`,
//! and lookups in it slowed. So once the WAL holds more than [`RESTART_FRAMES`], a pass ends
//! with a RESTART checkpoint *while holding the store's writer mutex*: the PASSIVE steps before
//! it have copied nearly everything, so it copies only what came since, and the next write
//! starts the WAL file over from its beginning (reusing the file, whose blocks then need no new
//! metadata on fsync). Writers wait on the mutex for those few milliseconds (and never longer
//! than [`READER_WAIT`], which a slow reader can make the RESTART wait), not in SQLite's busy
//! handler, whose sleeps grow to 100 ms: that was a TRUNCATE checkpoint's cost before, and the
//! p99 of `bench --tenants 800` was 100 ms with it (25–38 ms with this).

use super::batch::Writer;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, Weak};
use std::time::{Duration, Instant};

/// How often the checkpointer runs a pass.
pub(super) const EVERY: Duration = Duration::from_millis(500);

/// The WAL size, in frames (pages of 4 KiB), past which a pass starts the WAL over: 64 MiB.
/// Each RESTART holds writers back (40–60 ms here, before the PASSIVE steps' copies were synced
/// ahead of it; 14–25 ms since): at 16 MiB it ran twice a second at 800 tenants and their p99
/// was that stall (49 and 51 ms, against 46 and 28 ms at 64 MiB, `bench --tenants 800`,
/// alternating binaries).
pub(super) const RESTART_FRAMES: i64 = 16384;

/// Frames left to copy below which the RESTART may begin: what it copies holding writers back.
const CAUGHT_UP: i64 = 256;

/// The most PASSIVE checkpoints a pass runs to catch up before its RESTART.
const CATCH_UPS: usize = 4;

/// How long a RESTART waits for the readers of older snapshots, holding writers back. Reads
/// take milliseconds; a long scan makes the RESTART give up (writers go on, the WAL keeps
/// growing) and the next pass try again.
pub(super) const READER_WAIT: Duration = Duration::from_millis(250);

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pass {
    /// Frames in the WAL when the pass began.
    pub frames: i64,
    /// Whether it ended with the WAL ready to start over.
    pub restarted: bool,
    /// How long writers were held back.
    pub held: Duration,
}

/// Starts the checkpoint thread; it runs for as long as `writer` is alive.
pub(super) fn spawn(path: &Path, writer: Weak<Mutex<Writer>>) -> Result<(), String> {
    let conn = open(path)?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            loop {
                std::thread::sleep(EVERY);
                let Some(w) = writer.upgrade() else { return };
                match pass(&conn, &w, RESTART_FRAMES) {
                    Ok(p) if p.restarted => {
                        tracing::debug!(frames = p.frames, held_ms = p.held.as_secs_f64() * 1e3, "WAL started over")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "a WAL checkpoint failed; the next one retries"),
                }
            }
        })
        .map(|_| ())
        .map_err(|e| format!("cannot start the checkpoint thread: {e}"))
}

/// The checkpointer's own connection.
fn open(path: &Path) -> Result<Connection, String> {
    let failed = |e: rusqlite::Error| format!("cannot open {} for checkpoints: {e}", path.display());
    let conn = Connection::open(path).map_err(failed)?;
    conn.busy_timeout(READER_WAIT).map_err(failed)?;
    Ok(conn)
}

/// One pass on the checkpointer's own connection `conn`: a PASSIVE checkpoint and, when the WAL
/// holds more than `restart_frames`, more to catch up (each copies what came during the one
/// before, until fewer than [`CAUGHT_UP`] frames are left, at most [`CATCH_UPS`] times) and a
/// RESTART while `writer` is held. What the PASSIVE steps copied is made durable before the
/// writer is taken, so the RESTART's own fsync flushes only the little it copies.
pub(crate) fn pass(conn: &Connection, writer: &Mutex<Writer>, restart_frames: i64) -> Result<Pass, String> {
    let (_, frames, _) = checkpoint(conn, "PASSIVE").map_err(|e| e.to_string())?;
    let mut done = Pass { frames, restarted: false, held: Duration::ZERO };
    if frames <= restart_frames {
        return Ok(done);
    }
    for _ in 0..CATCH_UPS {
        let (_, frames, copied) = checkpoint(conn, "PASSIVE").map_err(|e| e.to_string())?;
        if frames - copied < CAUGHT_UP {
            break;
        }
    }
    sync_copied(conn)?;
    let mut held = writer.lock().unwrap_or_else(|p| p.into_inner());
    // The RESTART waits for every writer: the open batch commits first.
    let _ = held.settle();
    let start = Instant::now();
    let (busy, _, _) = checkpoint(conn, "RESTART").map_err(|e| e.to_string())?;
    done.restarted = !busy;
    done.held = start.elapsed();
    Ok(done)
}

/// Flushes the database file: the pages the checkpoints so far copied into it. (A PASSIVE
/// checkpoint that cannot copy every frame leaves them unsynced, and the RESTART's fsync under
/// the writer lock then took 26–38 ms flushing them.)
fn sync_copied(conn: &Connection) -> Result<(), String> {
    let path = conn.path().filter(|p| !p.is_empty()).ok_or("the checkpoint connection has no database file")?;
    std::fs::File::open(path).and_then(|f| f.sync_data()).map_err(|e| format!("cannot sync {path}: {e}"))
}

/// Runs `PRAGMA wal_checkpoint(mode)`: whether it was kept from finishing, the frames in the
/// WAL, and how many of them are copied to the database file.
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<(bool, i64, i64)> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok((r.get::<_, i64>(0)? != 0, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;
    use crate::store::{NewResource, Store};

    fn frames(conn: &Connection) -> i64 {
        checkpoint(conn, "PASSIVE").expect("checkpoint").1
    }

    fn create(store: &crate::store::SqliteStore, i: usize) {
        let mut attrs = serde_json::Map::new();
        attrs.insert("userName".into(), format!("user{i}").into());
        store.create(Kind::User, NewResource { attrs, ..NewResource::default() }).expect("create");
    }

    /// A durable database of `users` users in a fresh directory, with a checkpoint connection.
    fn fixture(name: &str, users: usize) -> (std::path::PathBuf, crate::store::Database, Connection) {
        let dir = crate::store::test_dir(&format!("checkpoint-{name}"));
        let path = dir.join("t.db");
        let db = crate::store::Database::open(&path).expect("open");
        let store = db.store("acme");
        for i in 0..users {
            create(&store, i);
        }
        let conn = open(&path).expect("checkpoint connection");
        (path, db, conn)
    }

    /// A reader that holds a snapshot for `hold` on a thread of its own; returns once it holds it.
    fn reader_holding(path: &Path, hold: Duration) -> std::thread::JoinHandle<()> {
        let (started, ready) = std::sync::mpsc::channel();
        let path = path.to_owned();
        let reader = std::thread::spawn(move || {
            let reader = Connection::open(&path).expect("reader");
            reader.execute_batch("BEGIN; SELECT count(*) FROM resources;").expect("read transaction");
            started.send(()).expect("signal");
            std::thread::sleep(hold);
            reader.execute_batch("COMMIT").expect("end of the read");
        });
        ready.recv().expect("the reader started");
        reader
    }

    /// The WAL starts over after a pass that found it past the limit, and keeps growing after one
    /// that did not while a reader held a snapshot.
    #[test]
    fn a_pass_past_the_limit_starts_the_wal_over() {
        let (path, db, conn) = fixture("limit", 50);
        let store = db.store("acme");
        // A reader holding a snapshot in the WAL keeps the next write from starting it over, as
        // steady reads always do under load.
        let reader = Connection::open(&path).expect("reader");
        reader.execute_batch("BEGIN; SELECT count(*) FROM resources;").expect("read transaction");
        let before = frames(&conn);
        assert!(before > 50, "50 durable creates wrote {before} frames");

        let under = pass(&conn, db.writer_mutex(), before + 1).expect("pass");
        assert_eq!((under.frames, under.restarted), (before, false));
        create(&store, 50);
        assert!(frames(&conn) > before, "below the limit the WAL keeps growing");
        reader.execute_batch("COMMIT").expect("end of the read");

        // A RESTART waits (up to READER_WAIT) for the readers of older snapshots, so the next
        // write starts over.
        let late = reader_holding(&path, Duration::from_millis(100));
        let over = pass(&conn, db.writer_mutex(), 10).expect("pass");
        assert!(over.restarted, "{over:?}");
        create(&store, 51);
        late.join().expect("reader thread");
        let after = frames(&conn);
        assert!(after < 20, "after a restart, one create wrote {after} frames from the start");
        assert!(store.get(Kind::User, &find(&db, "user51")).expect("get").is_some());
        drop((store, db));
        let _ = std::fs::remove_dir_all(path.parent().expect("its directory"));
    }

    fn find(db: &crate::store::Database, name: &str) -> String {
        let conn = db.read();
        conn.query_row("SELECT id FROM resources WHERE json_extract(attrs, '$.userName') = ?1", [name], |r| r.get(0))
            .expect("the created user is stored")
    }

    /// A reader slower than READER_WAIT makes the RESTART give up: writers are held back no
    /// longer than that, and the next pass tries again.
    #[test]
    fn a_slow_reader_holds_writers_back_no_longer_than_the_reader_wait() {
        let (path, db, conn) = fixture("slow", 20);
        let slow = reader_holding(&path, Duration::from_millis(1500));
        let gave_up = pass(&conn, db.writer_mutex(), 10).expect("pass");
        assert!(!gave_up.restarted, "{gave_up:?}");
        assert!(gave_up.held < Duration::from_millis(1000), "writers were held back {:?}", gave_up.held);
        slow.join().expect("reader thread");
        assert!(pass(&conn, db.writer_mutex(), 10).expect("pass").restarted, "the next pass starts the WAL over");
        drop(db);
        let _ = std::fs::remove_dir_all(path.parent().expect("its directory"));
    }
}
