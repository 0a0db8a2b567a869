#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loadgen {

// Values below 2*sub_count are their own bucket; above, a power of two [2^m, 2^(m+1)) is split
// into sub_count equal buckets, so buckets stay contiguous: index = sub_count*shift + (v>>shift).
std::size_t histogram::index_of(std::uint64_t value) {
    if (value < 2 * sub_count) return static_cast<std::size_t>(value);
    const int msb = 63 - std::countl_zero(value);
    const int shift = msb - sub_bits;
    return sub_count * static_cast<std::size_t>(shift) + static_cast<std::size_t>(value >> shift);
}

std::uint64_t histogram::upper_bound_of(std::size_t index) {
    if (index < 2 * sub_count) return index;
    const std::size_t shift = index / sub_count - 1;
    const std::uint64_t low = (index - sub_count * shift) << shift;
    return low + ((std::uint64_t{1} << shift) - 1);
}

void histogram::record(std::uint64_t value) {
    const std::size_t index = std::min(index_of(value), bucket_count - 1);
    ++counts_[index];
    ++count_;
    max_ = std::max(max_, value);
    sum_ += static_cast<long double>(value);
}

void histogram::merge(const histogram& other) {
    for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
    sum_ += other.sum_;
}

std::uint64_t histogram::percentile(double fraction) const {
    if (count_ == 0) return 0;
    if (fraction >= 1.0) return max_;
    const auto wanted = static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
        seen += counts_[i];
        if (seen >= std::max<std::uint64_t>(wanted, 1)) return std::min(upper_bound_of(i), max_);
    }
    return max_;
}

double histogram::mean() const {
    return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::vector<std::pair<std::uint64_t, std::uint64_t>> histogram::buckets() const {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
    for (std::size_t i = 0; i < bucket_count; ++i)
        if (counts_[i] != 0) out.emplace_back(upper_bound_of(i), counts_[i]);
    return out;
}

}  // namespace loadgen
