/// mimalloc returns freed memory to the system and does not fragment
/// across the blocking threads that write blobs (measured with 1,000
/// concurrent slow uploads: glibc's arenas held several hundred MiB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    no_huge_pages();
    dropspace::cli::main()
}

/// Transparent huge pages turn every arena page the allocator touches into
/// 2 MiB of resident memory (docs/performance.md, "Large transfers, round
/// two"); the process opts out, whatever the system's setting.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process; it takes
    // no pointers.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
