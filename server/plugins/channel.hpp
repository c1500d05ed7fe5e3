// One end of the socket between the server and a plugin's child process: asks the other end
// and waits for its reply, and answers what the other end asks. A reader thread hands each
// reply to the call waiting for it and runs each request on a thread of its own (a request may
// wait on the network, and the other end may ask again meanwhile). When the other end goes,
// every waiting call gets nothing back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/plugins/wire.hpp"

namespace tessera::plugins {

class Channel : public std::enable_shared_from_this<Channel> {
 public:
  using Fields = std::vector<std::string>;
  static constexpr unsigned kMaxAnswering = 64;
  // Answers one request (its fields), on a thread of its own; at most kMaxAnswering at once,
  // past that a request gets an empty reply (the other end reads it as unavailable), so a
  // hostile child cannot make the server start threads without end.
  using RequestHandler = std::function<Fields(Fields)>;
  // Takes one notice (a request that wants no reply), on the reader thread, in order.
  using NoticeHandler = std::function<void(Fields)>;
  // Runs on the reader thread when the other end has gone, before waiting calls are failed.
  using ClosedHandler = std::function<void()>;

  // Takes over fd and starts reading.
  static std::shared_ptr<Channel> open(int fd, RequestHandler on_request, NoticeHandler on_notice,
                                       ClosedHandler on_closed);
  ~Channel();
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // The reply's fields; nothing when the other end went first, or when wait passed.
  std::optional<Fields> ask(Fields request,
                            std::optional<std::chrono::milliseconds> wait = std::nullopt);
  // Sends a notice; false when the other end is gone.
  bool tell(Fields notice);
  // Ends the connection; the reader then fails every waiting call.
  void close();
  bool closed() const;

 private:
  Channel(int fd, RequestHandler on_request, NoticeHandler on_notice, ClosedHandler on_closed)
      : fd_(fd),
        on_request_(std::move(on_request)),
        on_notice_(std::move(on_notice)),
        on_closed_(std::move(on_closed)) {}
  void read_all();
  bool send(const wire::Frame& frame);

  struct Waiting {
    std::optional<Fields> reply;
    bool done = false;
  };

  int fd_;
  RequestHandler on_request_;
  NoticeHandler on_notice_;
  ClosedHandler on_closed_;
  std::mutex write_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable answered_;
  std::map<uint64_t, std::shared_ptr<Waiting>> waiting_;
  unsigned answering_ = 0;  // requests of the other end being answered now
  uint64_t next_id_ = 1;
  bool closed_ = false;
};

}  // namespace tessera::plugins
