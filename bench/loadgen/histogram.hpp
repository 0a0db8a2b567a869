#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace loadgen {

/// A log-linear histogram of non-negative integers (HDR style): 64 linear sub-buckets per power
/// of two, so any recorded value is reported within 1.6 %, at a fixed cost of one array.
class histogram {
public:
    /// Adds one observation.
    void record(std::uint64_t value);
    /// Adds every observation of another histogram.
    void merge(const histogram& other);
    /// The smallest recorded value v such that at least `fraction` of the observations are <= v
    /// (within the bucket precision; the exact maximum for fraction 1).
    [[nodiscard]] std::uint64_t percentile(double fraction) const;
    [[nodiscard]] std::uint64_t count() const { return count_; }
    [[nodiscard]] std::uint64_t max() const { return max_; }
    [[nodiscard]] double mean() const;
    /// Non-empty buckets as (upper bound of bucket, count), in increasing order; for plots.
    [[nodiscard]] std::vector<std::pair<std::uint64_t, std::uint64_t>> buckets() const;

private:
    static constexpr int sub_bits = 6;
    static constexpr std::size_t sub_count = std::size_t{1} << sub_bits;
    static constexpr std::size_t bucket_count = sub_count * 60;

    static std::size_t index_of(std::uint64_t value);
    static std::uint64_t upper_bound_of(std::size_t index);

    std::array<std::uint64_t, bucket_count> counts_{};
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

}  // namespace loadgen
