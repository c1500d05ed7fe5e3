#include "server/plugins/channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace tessera::plugins {

std::shared_ptr<Channel> Channel::open(int fd, RequestHandler on_request, NoticeHandler on_notice,
                                       ClosedHandler on_closed) {
  std::shared_ptr<Channel> channel(
      new Channel(fd, std::move(on_request), std::move(on_notice), std::move(on_closed)));
  // The reader owns the channel until the other end goes.
  std::thread([channel] { channel->read_all(); }).detach();
  return channel;
}

Channel::~Channel() {
  ::close(fd_);
}

bool Channel::send(const wire::Frame& frame) {
  std::lock_guard lock(write_mutex_);
  return wire::write_frame(fd_, frame);
}

std::optional<Channel::Fields> Channel::ask(Fields request,
                                            std::optional<std::chrono::milliseconds> wait) {
  auto waiting = std::make_shared<Waiting>();
  uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return std::nullopt;
    id = next_id_++;
    waiting_[id] = waiting;
  }
  if (!send({wire::Kind::request, id, std::move(request)})) {
    close();
    return std::nullopt;
  }
  std::unique_lock lock(mutex_);
  const auto done = [&] { return waiting->done; };
  if (wait) {
    if (!answered_.wait_for(lock, *wait, done)) {
      waiting_.erase(id);
      return std::nullopt;
    }
  } else {
    answered_.wait(lock, done);
  }
  return std::move(waiting->reply);
}

bool Channel::tell(Fields notice) {
  if (closed()) return false;
  return send({wire::Kind::notice, 0, std::move(notice)});
}

void Channel::close() {
  ::shutdown(fd_, SHUT_RDWR);
}

bool Channel::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void Channel::read_all() {
  while (auto frame = wire::read_frame(fd_)) {
    switch (frame->kind) {
      case wire::Kind::reply: {
        std::lock_guard lock(mutex_);
        if (auto it = waiting_.find(frame->id); it != waiting_.end()) {
          it->second->reply = std::move(frame->fields);
          it->second->done = true;
          waiting_.erase(it);
        }
        answered_.notify_all();
        break;
      }
      case wire::Kind::notice:
        on_notice_(std::move(frame->fields));
        break;
      case wire::Kind::request: {
        {
          std::lock_guard lock(mutex_);
          if (answering_ >= kMaxAnswering) {
            send({wire::Kind::reply, frame->id, {}});
            break;
          }
          ++answering_;
        }
        std::thread([self = shared_from_this(), id = frame->id,
                     fields = std::move(frame->fields)]() mutable {
          auto reply = self->on_request_(std::move(fields));
          self->send({wire::Kind::reply, id, std::move(reply)});
          std::lock_guard lock(self->mutex_);
          --self->answering_;
        }).detach();
        break;
      }
    }
  }
  // The other end went, or sent what is not a frame: either way it is done with.
  ::shutdown(fd_, SHUT_RDWR);
  // Moved out, so that what it holds (which may hold this channel) goes with this call.
  auto closed = std::move(on_closed_);
  closed();
  std::lock_guard lock(mutex_);
  closed_ = true;
  for (auto& [id, waiting] : waiting_) waiting->done = true;
  waiting_.clear();
  answered_.notify_all();
}

}  // namespace tessera::plugins
