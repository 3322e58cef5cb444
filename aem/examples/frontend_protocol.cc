#include "aem/examples/frontend_protocol.h"

#include <strings.h>

#include <cstdint>
#include <cstdlib>

namespace aem::frontend {
namespace {

constexpr std::string_view kHttpReply =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

bool HeaderIs(std::string_view line, std::string_view name) {
  return line.size() > name.size() && line[name.size()] == ':' &&
         strncasecmp(line.data(), name.data(), name.size()) == 0;
}

std::string_view HeaderValue(std::string_view line, size_t name_len) {
  std::string_view v = line.substr(name_len + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

const char* ProtocolName(Protocol p) {
  switch (p) {
    case Protocol::kLine: return "line";
    case Protocol::kLength: return "length";
    case Protocol::kHttp: return "http";
  }
  return "unknown";
}

Result<Protocol> ParseProtocol(std::string_view name) {
  if (name == "line") return Protocol::kLine;
  if (name == "length") return Protocol::kLength;
  if (name == "http") return Protocol::kHttp;
  return Error(ErrorCode::kInvalidArgument,
               "unknown protocol '" + std::string(name) + "' (line, length or http)");
}

Result<Consumed> HandleRequests(Protocol protocol, std::string_view input, std::string& output) {
  Consumed c;
  for (;;) {
    std::string_view rest = input.substr(c.bytes);
    switch (protocol) {
      case Protocol::kLine: {
        const size_t nl = rest.find('\n');
        if (nl == std::string_view::npos) {
          if (rest.size() > kMaxRequest)
            return Error(ErrorCode::kTooLarge, "a line above " + std::to_string(kMaxRequest));
          return c;
        }
        output.append(rest.data(), nl + 1);
        c.bytes += nl + 1;
        break;
      }
      case Protocol::kLength: {
        if (rest.size() < 4) return c;
        const auto* p = reinterpret_cast<const unsigned char*>(rest.data());
        const uint32_t len = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                             (uint32_t{p[2]} << 8) | uint32_t{p[3]};
        if (len > kMaxRequest)
          return Error(ErrorCode::kTooLarge, "a frame of " + std::to_string(len) + " bytes");
        if (rest.size() < 4 + size_t{len}) return c;
        output.append(rest.data(), 4 + size_t{len});
        c.bytes += 4 + size_t{len};
        break;
      }
      case Protocol::kHttp: {
        const size_t end = rest.find("\r\n\r\n");
        if (end == std::string_view::npos) {
          if (rest.size() > kMaxRequest)
            return Error(ErrorCode::kTooLarge, "HTTP headers above " + std::to_string(kMaxRequest));
          return c;
        }
        const std::string_view head = rest.substr(0, end);
        const size_t first_eol = head.find("\r\n");
        const std::string_view request_line = head.substr(0, first_eol);
        if (request_line.find(' ') == std::string_view::npos ||
            request_line.find("HTTP/1.") == std::string_view::npos)
          return Error(ErrorCode::kMalformed, "not an HTTP/1.x request");
        size_t body = 0;
        bool close = request_line.ends_with("HTTP/1.0");
        size_t pos = first_eol == std::string_view::npos ? head.size() : first_eol + 2;
        while (pos < head.size()) {
          size_t eol = head.find("\r\n", pos);
          if (eol == std::string_view::npos) eol = head.size();
          const std::string_view line = head.substr(pos, eol - pos);
          if (HeaderIs(line, "content-length")) {
            const std::string v(HeaderValue(line, 14));
            char* e = nullptr;
            const unsigned long long n = std::strtoull(v.c_str(), &e, 10);
            if (v.empty() || *e != '\0' || n > kMaxRequest)
              return Error(ErrorCode::kMalformed, "bad Content-Length");
            body = n;
          } else if (HeaderIs(line, "connection")) {
            const std::string_view v = HeaderValue(line, 10);
            if (v.size() == 5 && strncasecmp(v.data(), "close", 5) == 0) close = true;
            if (v.size() == 10 && strncasecmp(v.data(), "keep-alive", 10) == 0) close = false;
          }
          pos = eol + 2;
        }
        if (rest.size() < end + 4 + body) return c;
        output.append(kHttpReply);
        c.bytes += end + 4 + body;
        if (close) {
          ++c.requests;
          c.close = true;
          return c;
        }
        break;
      }
    }
    ++c.requests;
  }
}

}  // namespace aem::frontend
