// Delivery to routerd. See delivery.h.
#include "tools/routermail/delivery.h"

#include <google/protobuf/util/time_util.h>

#include <chrono>

#include "tools/client_channel/client_channel.h"
#include "tools/client_tls/client_tls.h"
#include "tools/routermail/mail_message.h"

namespace router::mail {
namespace {

// routerd's message inside a one-line SMTP reply: printable ASCII, at most 200 characters.
std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= 200) return out + "...";
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  return out;
}

}  // namespace

engine::Result<std::unique_ptr<Delivery>> Delivery::create(const Config& config,
                                                           ResultFn on_result) {
  grpc::ChannelArguments args;
  std::string error;
  auto creds = client_tls::channel_credentials(config.routerd.tls, args, error);
  if (creds == nullptr) return engine::invalid_argument("routerd.tls: " + error);
  std::unique_ptr<Delivery> d(new Delivery(config, std::move(on_result)));
  for (const std::string& address : config.routerd.addresses) {
    d->channels_.push_back(
        client_channel::make_channel(address, creds, args, config.routerd.domain));
    d->stubs_.push_back(v1::InteractionService::NewStub(d->channels_.back()));
  }
  return d;
}

grpc::Status Delivery::submit(const v1::SubmitInteractionRequest& request,
                              v1::SubmitInteractionResponse& response) {
  // The address that answered last first, then each other once (UNAVAILABLE only: a submit is
  // idempotent on its id, so repeating it elsewhere cannot make two interactions).
  const size_t n = stubs_.size();
  const size_t first = current_.load();
  grpc::Status status;
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (first + k) % n;
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + config_.routerd.token);
    context.set_deadline(std::chrono::system_clock::now() + config_.routerd.timeout);
    status = stubs_[i]->SubmitInteraction(&context, request, &response);
    if (!client_channel::moves_on(status)) {
      current_.store(i);
      return status;
    }
  }
  return status;
}

std::vector<std::string> Delivery::deliver(const Envelope& envelope, const std::string& message) {
  std::vector<std::string> replies;
  const auto fields = parse_mail(message);
  if (!fields) {
    for (size_t i = 0; i < envelope.recipients.size(); ++i) {
      on_result_("unparsable");
      replies.push_back("554 5.6.0 not a mail message: no header block could be read");
    }
    return replies;
  }
  for (const std::string& rcpt : envelope.recipients) {
    v1::SubmitInteractionRequest request;
    request.set_interaction_id(interaction_id_for(*fields, message, rcpt));
    request.set_channel(v1::EMAIL);
    auto& email = *request.mutable_email();
    email.set_from(fields->from.empty() ? envelope.mail_from : fields->from);
    email.set_to_mailbox(rcpt);
    email.set_subject(fields->subject);
    email.set_message_id(fields->message_id);
    email.set_in_reply_to(fields->in_reply_to);
    for (const std::string& r : fields->references) email.add_references(r);
    *email.mutable_received() = google::protobuf::util::TimeUtil::GetCurrentTime();
    (*request.mutable_attributes())["attachments"] = std::to_string(fields->attachments);
    (*request.mutable_attributes())["size_bytes"] = std::to_string(fields->bytes);
    v1::SubmitInteractionResponse response;
    const grpc::Status s = submit(request, response);
    const std::string who = "<" + rcpt + ">";
    switch (s.error_code()) {
      case grpc::StatusCode::OK:
        on_result_(response.replayed() ? "duplicate" : "delivered");
        replies.push_back("250 2.0.0 " + who + " queued as " + request.interaction_id() +
                          (response.replayed() ? " (delivered before)" : ""));
        break;
      case grpc::StatusCode::INVALID_ARGUMENT:
      case grpc::StatusCode::NOT_FOUND:
        on_result_("rejected");
        replies.push_back("550 5.1.1 " + who +
                          " routerd refused it: " + one_line(s.error_message()));
        break;
      default:
        // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION (a closed
        // queue that refuses), UNAUTHENTICATED (a token to fix): the mail server keeps it and
        // tries again.
        on_result_("deferred");
        replies.push_back("451 4.3.0 " + who + " routerd cannot take it now (" +
                          std::to_string(static_cast<int>(s.error_code())) + " " +
                          one_line(s.error_message()) + "); try again later");
        break;
    }
  }
  return replies;
}

bool Delivery::routerd_serving() {
  bool serving = false;
  const auto s = client_channel::health_check(channels_[current_.load()],
                                              std::chrono::milliseconds(2000), serving);
  return s.ok() && serving;
}

}  // namespace router::mail
