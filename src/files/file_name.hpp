#pragma once
// The original name of an uploaded file, made safe to keep as metadata and to send back in
// Content-Disposition. The name never becomes a storage path (storage keys are server-made).

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace writeen::files {

/// A sanitised original file name: the last path component (`/` and `\` both separate), valid
/// UTF-8 without control (NUL included) or bidirectional-override characters, 1..255 bytes.
/// Immutable value type.
class file_name {
public:
    /// Longest name kept, in bytes (common file-system limit, and API.md's).
    static constexpr std::size_t max_bytes = 255;

    /// Sanitises a client-supplied name (`../../etc/passwd.txt` becomes `passwd.txt`), or
    /// returns nullopt when nothing usable is left: empty, or only dots (`.`, `..`, `...`).
    static std::optional<file_name> sanitize(std::string_view original);

    /// The sanitised name.
    const std::string& value() const { return value_; }

    /// The extension of this name, see extension_of().
    std::string extension() const;

    /// The value of a Content-Disposition header that makes browsers save the file under this
    /// name: `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`.
    std::string content_disposition() const;

private:
    explicit file_name(std::string value) : value_(std::move(value)) {}
    std::string value_;
};

/// The lowercased last extension of name including its dot (".pdf" for "Thesis.v2.PDF"), or ""
/// when there is none. A leading dot alone (".bashrc") is not an extension, so such a name
/// never passes an extension allow-list.
std::string extension_of(std::string_view name);

}  // namespace writeen::files
