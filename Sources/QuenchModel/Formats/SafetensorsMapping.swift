#if canImport(Glibc)
import Glibc
#endif

/// A read-only memory mapping of a whole file, unmapped when the last reference goes away.
///
/// Mapping instead of reading lets a multi-gigabyte checkpoint be opened in constant time and
/// memory: only the pages of tensors actually read are paged in. `MAP_PRIVATE` + `PROT_READ`
/// means nothing we do can change the file. Another process truncating the file while it is
/// mapped would still fault the reader (SIGBUS); that is inherent to mapping.
final class SafetensorsMapping {
    /// The whole file; empty (with a nil base) for an empty file, which cannot be mapped.
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SafetensorsError.cannotOpen(file: path, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw SafetensorsError.cannotOpen(file: path, errno: errno)
        }
        guard status.st_mode & S_IFMT == S_IFREG else { throw SafetensorsError.notARegularFile(file: path) }
        let size = Int(status.st_size)
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw SafetensorsError.cannotOpen(file: path, errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
