// Min/max-per-bucket downsampling (see downsample.hpp).
#include "cli/report/downsample.hpp"

#include <algorithm>
#include <cmath>

namespace sluice::report {

std::vector<std::size_t> downsample_indices(const std::vector<const std::vector<double>*>& columns,
                                            std::size_t length, std::size_t limit) {
  std::vector<std::size_t> keep;
  if (length <= limit || limit < 4) {
    keep.resize(length);
    for (std::size_t i = 0; i < length; ++i) keep[i] = i;
    return keep;
  }
  // Each bucket keeps up to 1 + 2 * columns points; size the buckets so that the total
  // stays within `limit`.
  const std::size_t per_bucket = 1 + 2 * std::max<std::size_t>(columns.size(), 1);
  const std::size_t buckets = std::max<std::size_t>(limit / per_bucket, 1);
  std::vector<std::size_t> in_bucket;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t lo = length * b / buckets, hi = length * (b + 1) / buckets;
    if (lo >= hi) continue;
    in_bucket.assign(1, lo);
    for (const std::vector<double>* col : columns) {
      std::size_t at_min = hi, at_max = hi;
      for (std::size_t i = lo; i < hi; ++i) {
        const double v = (*col)[i];
        if (std::isnan(v)) continue;
        if (at_min == hi || v < (*col)[at_min]) at_min = i;
        if (at_max == hi || v > (*col)[at_max]) at_max = i;
      }
      if (at_min != hi) in_bucket.push_back(at_min);
      if (at_max != hi) in_bucket.push_back(at_max);
    }
    std::sort(in_bucket.begin(), in_bucket.end());
    in_bucket.erase(std::unique(in_bucket.begin(), in_bucket.end()), in_bucket.end());
    keep.insert(keep.end(), in_bucket.begin(), in_bucket.end());
  }
  if (keep.back() != length - 1) keep.push_back(length - 1);  // the last point is always drawn
  return keep;
}

}  // namespace sluice::report
