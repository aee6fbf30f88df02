//! The version of a WAL database's contents, read from its write-ahead
//! log's index (the `<database>-shm` file every connection maps) without a
//! lock: the index's header, whose checksum covers the log's last committed
//! frame and its salts, changes with every commit by any connection of any
//! process (<https://www.sqlite.org/walformat.html>, "The WAL-Index
//! Header"). `PRAGMA data_version` answers the same but takes the log's
//! read lock, two `fcntl` calls and a connection's mutex, which cost a
//! kept list answer a fifth of its time (docs/performance.md).
//!
//! Not seen here: a process holding the database in `locking_mode =
//! EXCLUSIVE`, which keeps its index in its own memory (and stops every
//! other reader).

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// One copy of the header. SQLite writes the second copy, then the first;
/// a reader that finds them unequal met a commit half-way through.
const HEADER_BYTES: usize = 48;
/// Where a copy says whether the index is set up (`isInit`).
const IS_INIT: usize = 12;
/// Where a copy holds its checksum (`aCksum`, two 32-bit words).
const CHECKSUM: std::ops::Range<usize> = 40..48;

pub(super) struct WalIndex {
    file: File,
}

impl WalIndex {
    /// The index of the database at `database`, once a connection has
    /// opened it in WAL mode.
    pub(super) fn open(database: &Path) -> Option<WalIndex> {
        let mut name = database.as_os_str().to_owned();
        name.push("-shm");
        File::open(name).ok().map(|file| WalIndex { file })
    }

    /// A number that changes with every commit; `None` while a commit is
    /// writing the header, before the index is set up, or when it cannot
    /// be read.
    pub(super) fn version(&self) -> Option<i64> {
        let mut copies = [0u8; 2 * HEADER_BYTES];
        self.file.read_exact_at(&mut copies, 0).ok()?;
        let (first, second) = copies.split_at(HEADER_BYTES);
        let agreed = first == second && first[IS_INIT] != 0;
        agreed.then(|| {
            i64::from_ne_bytes(first[CHECKSUM].try_into().expect("the checksum is 8 bytes"))
        })
    }
}
