//! Running an execution safely: panics caught and turned into findings (message, location,
//! backtrace) instead of ending the campaign, a watchdog that ends a hung execution (the
//! parent process then records it), and standard error silenced while a whole command line
//! runs in process (the merge command's notes would bury the fuzzer's own output).

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A caught panic.
#[derive(Clone, Debug)]
pub struct Panic {
    pub message: String,
    /// `file:line` where it was raised.
    pub location: String,
    pub backtrace: String,
}

static LAST_PANIC: Mutex<Option<Panic>> = Mutex::new(None);

fn payload_text(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// Records panics (the first since the last [`guarded`] call, from any thread: soltree
/// works on rayon's threads) instead of printing them.
pub fn install_panic_hook() {
    panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let backtrace = std::backtrace::Backtrace::force_capture().to_string();
        let mut slot = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(Panic {
                message: payload_text(info.payload()),
                location,
                backtrace,
            });
        }
    }));
}

/// Runs `f`, turning a panic into `Err`.
pub fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
    panic::catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        LAST_PANIC
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_else(|| Panic {
                message: payload_text(payload.as_ref()),
                location: String::new(),
                backtrace: String::new(),
            })
    })
}

/// A panic that was recorded but did not reach [`guarded`]: one soltree caught itself
/// (the merge driver turns a panic into exit 134).
pub fn take_recorded_panic() -> Option<Panic> {
    LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// The frames of a backtrace in soltree's or the fuzzer's own source (not the standard
/// library's, not a dependency's), for a short report.
pub fn short_backtrace(bt: &str) -> String {
    let lines: Vec<&str> = bt.lines().collect();
    let mut out = Vec::new();
    for pair in lines.windows(2) {
        let (frame, at) = (pair[0].trim(), pair[1].trim());
        let own = at.starts_with("at ")
            && !at.contains("/rustc/")
            && !at.contains(".cargo/registry")
            && !frame.starts_with("at ");
        if own {
            let name: String = frame.chars().take(140).collect();
            out.push(format!("{name}\n    {at}"));
        }
        if out.len() >= 25 {
            break;
        }
    }
    out.join("\n")
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

static EXEC_STARTED_MS: AtomicU64 = AtomicU64::new(0);
static EXEC_INDEX: AtomicU64 = AtomicU64::new(0);

/// Starts the watchdog: an execution running longer than `limit` is a hang; the watchdog
/// writes its index to `marker` and aborts the process (the parent records the finding and
/// goes on with the next execution).
pub fn start_watchdog(limit: Duration, marker: PathBuf) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let started = EXEC_STARTED_MS.load(Ordering::Relaxed);
            if started != 0 && now_ms().saturating_sub(started) > limit.as_millis() as u64 {
                let index = EXEC_INDEX.load(Ordering::Relaxed);
                let _ = std::fs::write(&marker, index.to_string());
                eprintln!(
                    "soltree-fuzz: execution {index} ran past {}s: recording a hang",
                    limit.as_secs()
                );
                std::process::abort();
            }
        }
    });
}

/// Marks the start (and with `None` the end) of an execution for the watchdog.
pub fn executing(index: Option<u64>) {
    match index {
        Some(i) => {
            EXEC_INDEX.store(i, Ordering::Relaxed);
            EXEC_STARTED_MS.store(now_ms(), Ordering::Relaxed);
        }
        None => EXEC_STARTED_MS.store(0, Ordering::Relaxed),
    }
}

/// Standard error pointed at /dev/null while alive.
pub struct Quiet {
    #[cfg(unix)]
    saved: libc::c_int,
}

impl Quiet {
    #[cfg(unix)]
    pub fn new() -> Option<Quiet> {
        // SAFETY: plain descriptor calls; every descriptor opened here is closed or kept
        // in `saved`, which Drop restores and closes.
        unsafe {
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY);
            if null < 0 {
                return None;
            }
            let saved = libc::dup(2);
            if saved < 0 {
                libc::close(null);
                return None;
            }
            libc::dup2(null, 2);
            libc::close(null);
            Some(Quiet { saved })
        }
    }

    #[cfg(not(unix))]
    pub fn new() -> Option<Quiet> {
        None
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: `saved` is a descriptor this guard owns.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}
