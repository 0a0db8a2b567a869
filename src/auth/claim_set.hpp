#pragma once
// The top-level members of a JOSE header or JWT claims set, read from JSON text.
//
// auth reads tokens before any other module sees them and links no JSON library (Boost.JSON is
// compiled in proto), so it carries this small strict reader. It understands all of RFC 8259
// but keeps only what tokens need: top-level strings, numbers, booleans, nulls and arrays of
// strings; nested objects and mixed arrays are checked and kept only as "structured".

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace writeen::auth {

/// A member whose value is an object, or an array with a non-string element.
struct structured_value {};

/// One top-level member's value. Numbers are kept as double: NumericDate may be fractional.
using claim_value =
    std::variant<std::nullptr_t, bool, double, std::string, std::vector<std::string>, structured_value>;

/// The members of one JSON object, with unique names, in document order.
class claim_set {
  public:
    /// The members of `json`; nullopt unless it is exactly one JSON object (whitespace around
    /// it allowed) with valid UTF-8, unique member names, at most max_members members and
    /// nesting at most max_depth deep.
    static std::optional<claim_set> parse(std::string_view json);

    /// The most members parse accepts in one object.
    static constexpr std::size_t max_members = 256;

    /// The deepest nesting parse accepts; deeper input is refused, never recursed into.
    static constexpr int max_depth = 16;

    /// The value of member `name`, or nullptr when there is none.
    const claim_value* find(std::string_view name) const;

    /// True when member `name` is present with any value other than null.
    bool has(std::string_view name) const;

    /// The string value of member `name`; nullptr when absent or not a string.
    const std::string* string(std::string_view name) const;

    /// The number of members.
    std::size_t size() const { return members_.size(); }

  private:
    std::vector<std::pair<std::string, claim_value>> members_;
};

}  // namespace writeen::auth
