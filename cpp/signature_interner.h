// Dense ids for integer sequences: the "same signature, same class" step of a partition
// refinement round (automaton_minimizer.cc, TokenLengthEquivalence in token_mask_cache.cc).
//
// The first distinct sequence gets id 0, the next 1, and so on, as `map.emplace(seq,
// map.size())` would give. All sequences live in one arena with an open-addressing table of
// ids beside it, so a round over hundreds of thousands of states allocates a few buffers, not
// one map node and one vector per state: a std::map here made rounds slow and, when a
// cancelled compile unwound, its millions of frees took tens of milliseconds.
//
// Entry point: `SignatureInterner::Intern`. `Clear` keeps the buffers for the next round.
#ifndef XGRAMMAR_CPP_SIGNATURE_INTERNER_H_
#define XGRAMMAR_CPP_SIGNATURE_INTERNER_H_

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

namespace xgrammar {

class SignatureInterner {
 public:
  void Clear() {
    arena_.clear();
    begin_.assign(1, 0);
    std::fill(slots_.begin(), slots_.end(), -1);
  }

  int32_t size() const { return static_cast<int32_t>(begin_.size()) - 1; }

  int32_t Intern(std::span<const int32_t> signature) {
    if (static_cast<size_t>(size() + 1) * 2 > slots_.size()) Grow();
    const uint64_t hash = Hash(signature);
    const size_t mask = slots_.size() - 1;
    for (size_t slot = hash & mask;; slot = (slot + 1) & mask) {
      const int32_t id = slots_[slot];
      if (id < 0) {
        slots_[slot] = size();
        arena_.insert(arena_.end(), signature.begin(), signature.end());
        begin_.push_back(static_cast<int32_t>(arena_.size()));
        return slots_[slot];
      }
      if (std::ranges::equal(Get(id), signature)) return id;
    }
  }

 private:
  std::span<const int32_t> Get(int32_t id) const {
    return {arena_.data() + begin_[id], arena_.data() + begin_[id + 1]};
  }

  static uint64_t Hash(std::span<const int32_t> signature) {
    uint64_t hash = 0x9E3779B97F4A7C15ull ^ signature.size();
    for (int32_t value : signature) {
      hash ^= static_cast<uint32_t>(value);
      hash *= 0xBF58476D1CE4E5B9ull;
      hash ^= hash >> 31;
    }
    return hash;
  }

  // Doubles the table (a power of two, at most half full) and reinserts every id.
  void Grow() {
    slots_.assign(std::max<size_t>(64, slots_.size() * 2), -1);
    const size_t mask = slots_.size() - 1;
    for (int32_t id = 0; id < size(); ++id) {
      size_t slot = Hash(Get(id)) & mask;
      while (slots_[slot] >= 0) slot = (slot + 1) & mask;
      slots_[slot] = id;
    }
  }

  std::vector<int32_t> arena_;     // every distinct signature, concatenated in id order
  std::vector<int32_t> begin_{0};  // signature `id` is arena_[begin_[id], begin_[id + 1])
  std::vector<int32_t> slots_;     // open addressing: an id, or -1 for an empty slot
};

}  // namespace xgrammar

#endif  // XGRAMMAR_CPP_SIGNATURE_INTERNER_H_
