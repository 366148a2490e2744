// Small helpers for reading libxml2 trees without repeating casts.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <string_view>

namespace lienthong::crypto::xml {

inline std::string_view name(const xmlNode* node) {
  return node != nullptr ? std::string_view(reinterpret_cast<const char*>(node->name)) : "";
}

inline std::string_view ns(const xmlNode* node) {
  return node != nullptr && node->ns != nullptr && node->ns->href != nullptr
             ? std::string_view(reinterpret_cast<const char*>(node->ns->href))
             : std::string_view();
}

inline bool is(const xmlNode* node, std::string_view ns_uri, std::string_view local) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && name(node) == local &&
         ns(node) == ns_uri;
}

// The first element child, or the next element sibling.
inline xmlNode* first_element(const xmlNode* parent) {
  for (xmlNode* c = parent != nullptr ? parent->children : nullptr; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return c;
  return nullptr;
}
inline xmlNode* next_element(const xmlNode* node) {
  for (xmlNode* c = node != nullptr ? node->next : nullptr; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return c;
  return nullptr;
}

// An attribute without namespace, or nullptr when absent (distinguishes "" from missing).
inline const char* attribute(const xmlNode* node, const char* attr_name) {
  for (const xmlAttr* a = node != nullptr ? node->properties : nullptr; a != nullptr; a = a->next)
    if (a->ns == nullptr && std::string_view(reinterpret_cast<const char*>(a->name)) == attr_name)
      return a->children != nullptr && a->children->content != nullptr
                 ? reinterpret_cast<const char*>(a->children->content)
                 : "";
  return nullptr;
}

// Concatenated text of a node's subtree.
inline std::string text(const xmlNode* node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return out;
}

inline bool is_ancestor(const xmlNode* ancestor, const xmlNode* node) {
  for (const xmlNode* p = node != nullptr ? node->parent : nullptr; p != nullptr; p = p->parent)
    if (p == ancestor) return true;
  return false;
}

}  // namespace lienthong::crypto::xml
