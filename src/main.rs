/// mimalloc returns freed memory to the system and does not fragment
/// across the blocking threads that write blobs (measured with 1,000
/// concurrent slow uploads: glibc's arenas held several hundred MiB).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    dropspace::cli::main()
}
