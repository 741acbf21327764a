//! Group commit: when a committed write is on disk, and how its writer learns it.
//!
//! A commit only appends its frames to the WAL (`synchronous=NORMAL`); a write may be
//! acknowledged once the WAL file was fsynced after it. A thread of its own, the syncer, fsyncs
//! whenever commits are waiting: one fsync covers every commit made before it began, so
//! concurrent writers share it. Nobody else runs an fsync, so writers never queue for one.
//! Resource writes do not commit themselves: they leave their savepoints in the writer's open
//! batch ([`super::batch`]) and mark the gate [`Gate::dirty`]; the syncer commits the batch just
//! before its next fsync, so a batch holds every write made during the fsync before.
//!
//! A writer learns the outcome in one of two ways. Elsewhere it waits on the spot
//! ([`Gate::wait`]). On the server, a write request runs inside [`deferring`]: its waits return
//! at once and are collected, and the async task that answers the request awaits them
//! ([`Pending::waits`]) before the response goes out. The blocking thread that ran the write is
//! free as soon as its write is in the open batch, instead of sleeping through the commit and
//! the fsync: under a thousand tenants those sleeps and their wake-ups were most of the
//! server's context switches. What such a request reads after its own write, before the batch
//! committed, it reads inside the batch ([`Gate::wrote_uncommitted`]).
//!
//! A failed fsync fails every commit it was to cover, for good: none of them is acknowledged,
//! even if a later fsync succeeds (the kernel may have dropped their pages).

use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The group commit of one database file; dropping it stops its syncer, once every commit made
/// was synced.
#[derive(Debug)]
pub(crate) struct Gate {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Wakes the syncer.
    work: Condvar,
    /// Wakes writers waiting on the spot.
    done: Condvar,
    /// The last commit an fsync was attempted for, for writers waiting asynchronously.
    attempted: tokio::sync::watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct State {
    /// Commits made so far.
    committed: u64,
    /// Commits an fsync was run for (successful or not).
    attempted: u64,
    /// The commits whose fsync failed, `(first, last)`, and why.
    failed: Vec<(u64, u64, String)>,
    /// Whether writes wait for a commit (see [`Gate::dirty`]).
    dirty: bool,
    /// Whether the syncer waits for work.
    idle: bool,
    stop: bool,
}

impl State {
    /// The outcome of commit `n`, once an fsync was attempted for it.
    fn outcome(&self, n: u64) -> Option<Result<(), String>> {
        if self.attempted < n {
            return None;
        }
        Some(self.failure(n).map_or(Ok(()), |why| Err(why.to_owned())))
    }

    /// Why commit `n` failed (its COMMIT or its fsync), if it did.
    fn failure(&self, n: u64) -> Option<&str> {
        self.failed.iter().find(|(first, last, _)| (*first..=*last).contains(&n)).map(|(_, _, why)| why.as_str())
    }
}

impl Gate {
    /// Starts the syncer; `sync` makes everything written so far durable (the WAL's fsync), and
    /// `prepare`, called before it when writes are waiting ([`Gate::dirty`]), commits them.
    pub(crate) fn start(
        name: &str,
        mut prepare: impl FnMut() + Send + 'static,
        mut sync: impl FnMut() -> std::io::Result<()> + Send + 'static,
    ) -> Result<Gate, String> {
        let shared = Arc::new(Shared {
            state: Mutex::default(),
            work: Condvar::new(),
            done: Condvar::new(),
            attempted: tokio::sync::watch::Sender::new(0),
        });
        let syncer = shared.clone();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                while let Some(dirty) = syncer.next() {
                    if dirty {
                        prepare();
                    }
                    if let Some(target) = syncer.target() {
                        let result = sync().map_err(|e| format!("fsync of the WAL failed: {e}"));
                        syncer.finish(target, result);
                    }
                }
            })
            .map_err(|e| format!("cannot start the {name} thread: {e}"))?;
        Ok(Gate { shared })
    }

    /// Tells the syncer that writes wait for a commit it should make before its next fsync.
    pub(crate) fn dirty(&self) {
        let mut s = self.shared.lock();
        s.dirty = true;
        if s.idle {
            self.shared.work.notify_one();
        }
    }

    /// Counts a commit just made (call it holding the writer) and returns its number.
    pub(crate) fn committed(&self) -> u64 {
        let mut s = self.shared.lock();
        s.committed += 1;
        if s.idle {
            self.shared.work.notify_one();
        }
        s.committed
    }

    /// The number the next commit will get (call it holding the writer).
    pub(crate) fn upcoming(&self) -> u64 {
        self.shared.lock().committed + 1
    }

    /// Counts a commit that failed (call it holding the writer): its writes are never
    /// acknowledged, whatever the next fsync does.
    pub(crate) fn failed(&self, why: &str) {
        let mut s = self.shared.lock();
        s.committed += 1;
        let n = s.committed;
        s.failed.push((n, n, why.to_owned()));
        if s.idle {
            self.shared.work.notify_one();
        }
    }

    /// Returns once commit `n` is on disk; an error when its fsync failed.
    pub(crate) fn wait(&self, n: u64) -> Result<(), String> {
        let mut s = self.shared.lock();
        loop {
            if let Some(outcome) = s.outcome(n) {
                return outcome;
            }
            s = self.shared.done.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Records commit `n` for the [`deferring`] scope this thread runs in, if any: whether it did.
    pub(crate) fn defer(&self, n: u64) -> bool {
        DEFERRED.with(|d| match d.borrow_mut().as_mut() {
            Some(pending) => {
                match pending.iter_mut().find(|(s, _)| Arc::ptr_eq(s, &self.shared)) {
                    Some((_, all)) if all.last() == Some(&n) => {}
                    Some((_, all)) => all.push(n),
                    None => pending.push((self.shared.clone(), vec![n])),
                }
                true
            }
            None => false,
        })
    }

    /// Whether the [`deferring`] scope this thread runs in wrote into a batch not committed yet
    /// (it is then the writer's open batch, while nobody commits it): what the scope reads next
    /// must be read inside that batch to include its own write.
    pub(crate) fn wrote_uncommitted(&self) -> bool {
        let last = self.mine(|all| all.iter().max().copied());
        last.is_some_and(|n| self.shared.lock().committed < n)
    }

    /// The last commit made, when its fsync has not been attempted yet.
    pub(crate) fn unsynced(&self) -> Option<u64> {
        let s = self.shared.lock();
        (s.committed > s.attempted).then_some(s.committed)
    }

    /// Why a commit the [`deferring`] scope this thread runs in awaits has already failed, if
    /// one did: what the scope would record next about its writes must not be recorded.
    pub(crate) fn scope_failed(&self) -> Option<String> {
        self.mine(|all| {
            let s = self.shared.lock();
            all.iter().find_map(|n| s.failure(*n)).map(str::to_owned)
        })
    }

    /// `f` of the commits that the [`deferring`] scope this thread runs in awaits in this
    /// database; `None` outside a scope, or when it awaits none here.
    fn mine<T>(&self, f: impl FnOnce(&[u64]) -> Option<T>) -> Option<T> {
        DEFERRED.with(|d| {
            let d = d.borrow();
            let (_, all) = d.as_ref()?.iter().find(|(s, _)| Arc::ptr_eq(s, &self.shared))?;
            f(all)
        })
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        let mut s = self.shared.lock();
        s.stop = true;
        self.shared.work.notify_one();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until there is a commit not yet synced or writes waiting for a commit, and says
    /// whether writes wait (the writer is then needed to commit them; otherwise the fsync need
    /// not queue behind whoever holds it): `None` when stopped with nothing left to do.
    fn next(&self) -> Option<bool> {
        let mut s = self.lock();
        while s.committed == s.attempted && !s.dirty {
            if s.stop {
                return None;
            }
            s.idle = true;
            s = self.work.wait(s).unwrap_or_else(|p| p.into_inner());
            s.idle = false;
        }
        Some(std::mem::take(&mut s.dirty))
    }

    /// The syncer's target: the last commit made, when it is not synced yet.
    fn target(&self) -> Option<u64> {
        let s = self.lock();
        (s.committed > s.attempted).then_some(s.committed)
    }

    fn finish(&self, target: u64, result: Result<(), String>) {
        let mut s = self.lock();
        if let Err(why) = result {
            let first = s.attempted + 1;
            s.failed.push((first, target, why));
        }
        s.attempted = target;
        drop(s);
        self.done.notify_all();
        self.attempted.send_replace(target);
    }
}

/// The commits awaited in each database (one in practice): each one, since any may fail.
type Awaited = Vec<(Arc<Shared>, Vec<u64>)>;

thread_local! {
    /// The commits awaited inside the [`deferring`] scope running on this thread.
    static DEFERRED: RefCell<Option<Awaited>> = const { RefCell::new(None) };
}

/// Commits to wait for before a response may acknowledge them.
#[derive(Debug, Default)]
#[must_use = "a write is acknowledged only after its commits are durable"]
pub struct Pending(Awaited);

/// Runs `f` with the durability waits of its writes deferred: they return at once, and what
/// they would have waited for is returned with `f`'s result, to be awaited before it is sent
/// (the server does, in `server::durable`).
pub fn deferring<R>(f: impl FnOnce() -> R) -> (R, Pending) {
    /// Puts the outer scope back, even if `f` panics (pool threads are reused).
    struct Restore(Option<Option<Awaited>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(outer) = self.0.take() {
                DEFERRED.with(|d| *d.borrow_mut() = outer);
            }
        }
    }
    let mut restore = Restore(Some(DEFERRED.with(|d| d.replace(Some(Vec::new())))));
    let result = f();
    let outer = restore.0.take().unwrap_or_default();
    let mine = DEFERRED.with(|d| d.replace(outer)).unwrap_or_default();
    (result, Pending(mine))
}

impl Pending {
    /// Whether there is nothing to wait for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// For each database, a receiver of the last commit an fsync was attempted for, and the
    /// commit to wait for: await each (`wait_for(|a| *a >= n)`), then read [`Pending::outcome`].
    pub fn waits(&self) -> Vec<(tokio::sync::watch::Receiver<u64>, u64)> {
        let last = |all: &[u64]| all.iter().max().copied().unwrap_or(0);
        self.0.iter().map(|(shared, all)| (shared.attempted.subscribe(), last(all))).collect()
    }

    /// Whether every commit is on disk (an error naming the failed fsync otherwise); `None`
    /// while an fsync is still to come.
    pub fn outcome(&self) -> Option<crate::error::Result<()>> {
        for (shared, all) in &self.0 {
            let state = shared.lock();
            for n in all {
                if let Err(why) = state.outcome(*n)? {
                    return Some(Err(not_durable(&why)));
                }
            }
        }
        Some(Ok(()))
    }
}

/// The error of a write whose commit could not be made durable.
pub(crate) fn not_durable(why: &str) -> crate::error::ScimError {
    crate::error::ScimError::internal(format!("the write could not be made durable ({why})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A gate whose fsync takes 20 ms, fails on the calls listed, and is counted.
    fn gate(fail_on: &'static [usize]) -> (Gate, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let gate = Gate::start(
            "test-syncer",
            || {},
            move || {
                std::thread::sleep(std::time::Duration::from_millis(20));
                let call = counted.fetch_add(1, Ordering::SeqCst) + 1;
                if fail_on.contains(&call) { Err(std::io::Error::other("disk gone")) } else { Ok(()) }
            },
        )
        .unwrap();
        (gate, calls)
    }

    /// Awaits `pending` the way the server does.
    fn settle(pending: Pending) -> crate::error::Result<()> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            for (mut attempted, n) in pending.waits() {
                attempted.wait_for(|a| *a >= n).await.unwrap();
            }
        });
        pending.outcome().expect("every fsync attempted")
    }

    #[test]
    fn a_deferred_write_returns_at_once_and_its_answer_waits_for_the_fsync() {
        let (gate, calls) = gate(&[]);
        let ((), pending) = deferring(|| {
            for _ in 0..3 {
                let n = gate.committed();
                assert!(gate.defer(n), "inside the scope a wait is deferred");
            }
        });
        assert!(!gate.defer(gate.committed()), "outside it a writer waits on the spot");
        assert_eq!(pending.0.len(), 1, "one database");
        assert_eq!(pending.0[0].1, [1, 2, 3], "each of its commits");
        settle(pending).unwrap();
        assert!(gate.shared.lock().attempted >= 3);
        assert!(calls.load(Ordering::SeqCst) >= 1);
    }

    #[test]
    fn commits_made_during_an_fsync_share_the_next_one() {
        let (gate, calls) = gate(&[]);
        let first = gate.committed();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let rest: Vec<u64> = (0..50).map(|_| gate.committed()).collect();
        gate.wait(first).unwrap();
        for n in rest {
            gate.wait(n).unwrap();
        }
        // The first fsync began before the other 50 commits (unless the syncer was slower to
        // wake than 5 ms, when one fsync covers all 51): never one fsync per commit.
        assert!(calls.load(Ordering::SeqCst) <= 2, "51 commits, {} fsyncs", calls.load(Ordering::SeqCst));
    }

    #[test]
    fn a_failed_fsync_fails_the_commits_it_covered_even_after_a_later_one_succeeds() {
        let (gate, _) = gate(&[2]);
        let a = gate.committed();
        gate.wait(a).unwrap();
        let ((), pending) = deferring(|| assert!(gate.defer(gate.committed())));
        let b = pending.0[0].1[0];
        let c = {
            // wait until the failed fsync is over, then commit again: the third one succeeds
            while gate.shared.lock().attempted < b {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            gate.committed()
        };
        gate.wait(c).unwrap();
        let err = settle(pending).unwrap_err();
        assert!(err.detail.contains("fsync of the WAL failed: disk gone"), "{}", err.detail);
        assert_eq!(gate.wait(b), Err("fsync of the WAL failed: disk gone".to_owned()));
    }

    /// The syncer takes the writer (`prepare`) only when writes wait for a commit: a plain
    /// commit's fsync does not queue behind whoever holds the writer.
    #[test]
    fn the_syncer_prepares_only_when_writes_wait_for_a_commit() {
        let prepared = Arc::new(AtomicUsize::new(0));
        let counted = prepared.clone();
        let gate = Gate::start(
            "test-syncer",
            move || {
                counted.fetch_add(1, Ordering::SeqCst);
            },
            || Ok(()),
        )
        .unwrap();
        gate.wait(gate.committed()).unwrap();
        assert_eq!(prepared.load(Ordering::SeqCst), 0, "a commit made by its writer");
        // A write left in the open batch: the syncer commits it (here, nothing to commit).
        gate.dirty();
        let t = std::time::Instant::now();
        while prepared.load(Ordering::SeqCst) == 0 {
            assert!(t.elapsed() < std::time::Duration::from_secs(10), "never prepared");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    /// A bulk request writes in several batches: the first one's failure is not hidden by the
    /// last one's success.
    #[test]
    fn a_scope_fails_when_any_of_its_commits_failed_not_only_its_last() {
        let (gate, _) = gate(&[1]);
        let ((), pending) = deferring(|| {
            let first = gate.committed();
            assert!(gate.defer(first));
            while gate.shared.lock().attempted < first {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            assert!(gate.defer(gate.committed()));
        });
        let err = settle(pending).unwrap_err();
        assert!(err.detail.contains("disk gone"), "{}", err.detail);
    }

    #[test]
    fn dropping_the_gate_syncs_what_was_committed_before_the_syncer_stops() {
        let (gate, calls) = gate(&[]);
        let ((), pending) = deferring(|| assert!(gate.defer(gate.committed())));
        drop(gate);
        settle(pending).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_panic_inside_the_scope_leaves_the_thread_waiting_on_the_spot() {
        let (gate, _) = gate(&[]);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| deferring(|| panic!("handler"))));
        assert!(caught.is_err());
        assert!(!gate.defer(gate.committed()));
    }
}
