// Structure-aware mutation of DER: parse into a tree of TLVs, change the
// tree (drop, duplicate, empty, retag, swap, graft or byte-mutate one node),
// encode again with correct lengths. The verifier accepts only canonical DER,
// so byte-level mutations almost never get past its parser; tree mutations
// reach the checks behind it (an empty digestAlgorithms SET, for one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace digsig::fuzz {

struct DerNode {
  uint8_t tag = 0;
  std::vector<uint8_t> value;  // primitive content
  std::vector<DerNode> kids;   // constructed content
  bool constructed() const { return (tag & 0x20) != 0; }
};

// Strict parse: single-byte tags, definite lengths of at most 4 bytes, the
// whole buffer consumed. False for anything else.
inline bool ParseDer(const uint8_t* p, size_t n, std::vector<DerNode>& out, int depth = 0) {
  if (depth > 24) return false;
  size_t off = 0;
  while (off < n) {
    if (n - off < 2) return false;
    DerNode node;
    node.tag = p[off];
    if ((node.tag & 0x1F) == 0x1F) return false;
    size_t len = p[off + 1];
    off += 2;
    if (len & 0x80) {
      const size_t k = len & 0x7F;
      if (k == 0 || k > 4 || n - off < k) return false;
      len = 0;
      for (size_t i = 0; i < k; ++i) len = (len << 8) | p[off + i];
      off += k;
    }
    if (len > n - off) return false;
    if (node.constructed()) {
      if (!ParseDer(p + off, len, node.kids, depth + 1)) return false;
    } else {
      node.value.assign(p + off, p + off + len);
    }
    off += len;
    out.push_back(std::move(node));
  }
  return true;
}

inline void EncodeDer(const std::vector<DerNode>& nodes, std::vector<uint8_t>& out) {
  for (const DerNode& node : nodes) {
    std::vector<uint8_t> body;
    if (node.constructed())
      EncodeDer(node.kids, body);
    else
      body = node.value;
    out.push_back(node.tag);
    const size_t len = body.size();
    if (len < 0x80) {
      out.push_back(static_cast<uint8_t>(len));
    } else {
      int k = 0;
      for (size_t l = len; l != 0; l >>= 8) ++k;
      out.push_back(static_cast<uint8_t>(0x80 | k));
      for (int i = k - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(len >> (8 * i)));
    }
    out.insert(out.end(), body.begin(), body.end());
  }
}

// Mutates `der` in place; false when it does not parse (then it is unchanged).
// `next` returns random numbers; `mutate_bytes` is libFuzzer's
// LLVMFuzzerMutate (or the replay driver's stand-in).
template <typename Next>
bool MutateDer(std::vector<uint8_t>& der, Next&& next,
               size_t (*mutate_bytes)(uint8_t* data, size_t size, size_t max_size)) {
  std::vector<DerNode> root;
  if (der.empty() || !ParseDer(der.data(), der.size(), root)) return false;

  // Every node with the list that holds it.
  std::vector<std::pair<std::vector<DerNode>*, size_t>> all;
  std::vector<std::vector<DerNode>*> lists = {&root};
  for (size_t i = 0; i < lists.size(); ++i) {
    std::vector<DerNode>& list = *lists[i];
    for (size_t j = 0; j < list.size(); ++j) {
      all.emplace_back(&list, j);
      if (list[j].constructed()) lists.push_back(&list[j].kids);
    }
  }
  if (all.empty()) return false;
  auto [list, index] = all[next() % all.size()];
  DerNode& node = (*list)[index];

  static const uint8_t kTags[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0C,
                                  0x13, 0x17, 0x30, 0x31, 0xA0, 0xA1, 0x80};
  switch (next() % 7) {
    case 0:  // drop the node
      list->erase(list->begin() + static_cast<std::ptrdiff_t>(index));
      break;
    case 1:  // duplicate it
      list->insert(list->begin() + static_cast<std::ptrdiff_t>(index), node);
      break;
    case 2:  // empty it
      node.kids.clear();
      node.value.clear();
      break;
    case 3: {  // another tag (a constructed node keeps its children, a primitive its bytes)
      const uint8_t tag = kTags[next() % sizeof(kTags)];
      if (((tag & 0x20) != 0) == node.constructed()) node.tag = tag;
      break;
    }
    case 4:  // swap with a sibling
      if (list->size() > 1) std::swap(node, (*list)[next() % list->size()]);
      break;
    case 5: {  // graft a copy of a random node into this one (or next to it)
      const auto& [from_list, from_index] = all[next() % all.size()];
      DerNode copy = (*from_list)[from_index];
      if (node.constructed())
        node.kids.insert(
            node.kids.begin() + static_cast<std::ptrdiff_t>(next() % (node.kids.size() + 1)),
            std::move(copy));
      else
        list->insert(list->begin() + static_cast<std::ptrdiff_t>(index), std::move(copy));
      break;
    }
    default: {  // byte-level mutation of a primitive's content
      if (node.constructed()) {
        node.kids.clear();
        break;
      }
      const size_t size = node.value.size();
      if (size == 0) {
        node.value.push_back(static_cast<uint8_t>(next()));
        break;
      }
      node.value.resize(size + 16);
      node.value.resize(mutate_bytes(node.value.data(), size, node.value.size()));
      break;
    }
  }
  std::vector<uint8_t> out;
  EncodeDer(root, out);
  der.swap(out);
  return true;
}

}  // namespace digsig::fuzz
