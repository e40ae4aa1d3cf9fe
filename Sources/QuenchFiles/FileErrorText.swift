import Foundation

/// Plain words for the errors Foundation raises about files, instead of an `NSCocoaErrorDomain Code=512` dump.
public enum FileErrorText {
    /// The reason, e.g. "permission denied", from the POSIX error underneath when there is one.
    /// `path` is where the operation was headed, used when the error does not say.
    public static func reason(_ error: any Error, path: String? = nil) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return posix(Int32(error.code)) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(underlying.code))
        }
        guard error.domain == NSCocoaErrorDomain else { return String(describing: error) }
        // Foundation on Linux often reports a failed write (codes 512-1023) with nothing underneath: look at the path.
        let target = error.userInfo[NSFilePathErrorKey] as? String ?? (error.userInfo[NSURLErrorKey] as? URL)?.path ?? path
        if (512..<1024).contains(error.code), let target, let obstacle = obstacle(target, code: error.code) { return obstacle }
        switch CocoaError.Code(rawValue: error.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
        case .fileWriteOutOfSpace: return "no space left on the device"
        case .fileWriteVolumeReadOnly: return "read-only file system"
        case .fileWriteFileExists: return "a file of that name already exists"
        case .fileReadTooLarge: return "the file is too large"
        case .fileReadCorruptFile: return "the file is damaged"
        case .fileReadInapplicableStringEncoding: return "the file is not text in the expected encoding"
        default: return "file error \(error.code)"
        }
    }

    /// What stops a file or folder being made at `path`: a missing part of it lies under something that
    /// is not a folder or not writable, or (`code` "file exists") a file stands where the folder belongs.
    private static func obstacle(_ path: String, code: Int) -> String? {
        var ancestor = URL(fileURLWithPath: path)
        var info = stat()
        var climbed = false
        while stat(ancestor.path, &info) != 0 {
            guard errno == ENOENT || errno == ENOTDIR, ancestor.path != "/" else { return nil }
            ancestor.deleteLastPathComponent()
            climbed = true
        }
        if (info.st_mode & S_IFMT) != S_IFDIR, climbed || code == CocoaError.Code.fileWriteFileExists.rawValue {
            return "\(ancestor.path) is not a directory"
        }
        if climbed, access(ancestor.path, W_OK) != 0 { return "permission denied: \(ancestor.path) is not writable" }
        return nil
    }

    /// "PATH: reason" for an error Foundation raised about a file (nil for any other error), so an error
    /// no module wrapped still names the file it is about.
    public static func message(_ error: any Error) -> String? {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
        let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        return (path.map { "\($0): " } ?? "") + reason(error)
    }

    private static func posix(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}
