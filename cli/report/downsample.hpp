// Fewer points to draw, same picture: `sluice report` draws at most about `limit` points
// per series. Per bucket of consecutive timeline points it keeps the first point and, for
// every column, the points of its minimum and maximum (so peaks and troughs survive), in
// timeline order. Markers and bands are drawn from exact dates, never from these points.
// Deterministic: the same columns give the same indices.
#pragma once
#include <cstddef>
#include <vector>

namespace sluice::report {

// Indices into the columns (all of one length) to draw; every index when the length is
// at most `limit`. NaN values are never chosen as a minimum or maximum.
std::vector<std::size_t> downsample_indices(const std::vector<const std::vector<double>*>& columns,
                                            std::size_t length, std::size_t limit);

}  // namespace sluice::report
