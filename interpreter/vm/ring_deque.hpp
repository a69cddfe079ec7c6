// A double-ended queue on one power-of-two ring of slots: what every window of the VM
// needs (push at the back, pop at either end, read both ends, walk front to back) with an
// index mask instead of std::deque's segment map. Windows hold every point they cover, so
// the ring grows by doubling to the window's size and then stays put: no allocation per
// point once it is warm.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

namespace sluice {

template <class T>
class ring_deque {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }

  T& front() { return slots_[head_]; }
  const T& front() const { return slots_[head_]; }
  T& back() { return slots_[(head_ + size_ - 1) & mask()]; }
  const T& back() const { return slots_[(head_ + size_ - 1) & mask()]; }
  const T& operator[](std::size_t i) const { return slots_[(head_ + i) & mask()]; }

  void push_back(const T& value) {
    if (size_ == capacity()) grow();
    slots_[(head_ + size_) & mask()] = value;
    ++size_;
  }
  // For loops that know how many values they will push: after reserve(n), up to n values
  // fit without growing, so push_unchecked needs no capacity test and the loop no call
  // that could change the ring behind its back.
  void reserve(std::size_t n) {
    while (capacity() < n) grow();
  }
  void push_unchecked(const T& value) {
    slots_[(head_ + size_) & mask()] = value;
    ++size_;
  }
  void pop_front() {
    head_ = (head_ + 1) & mask();
    --size_;
  }
  void pop_back() { --size_; }
  void clear() {
    head_ = 0;
    size_ = 0;
  }

  class const_iterator {
   public:
    const_iterator(const ring_deque* q, std::size_t i) : q_(q), i_(i) {}
    const T& operator*() const { return (*q_)[i_]; }
    const T* operator->() const { return &(*q_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }
    bool operator!=(const const_iterator& o) const { return i_ != o.i_; }

   private:
    const ring_deque* q_;
    std::size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  std::size_t mask() const { return capacity_ - 1; }
  void grow() {
    std::vector<T> bigger(slots_.empty() ? 16 : 2 * slots_.size());
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    slots_ = std::move(bigger);
    capacity_ = slots_.size();
    head_ = 0;
  }

  std::vector<T> slots_;
  // slots_.size(), 0 or a power of two, kept rather than computed: computing it divides by
  // sizeof(T), a multiplication on every access for the VM's 24-byte window entries.
  std::size_t capacity_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace sluice
