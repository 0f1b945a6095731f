// Gateway actions: submit phone|email|web|work and cancel (InteractionService), test traffic as a
// telephony gateway or an email/web front end sends it.
#include <chrono>
#include <string>
#include <tuple>

#include "tools/routerctl/commands.h"
#include "tools/routerctl/requests.h"
#include "tools/routerctl/views.h"

namespace router::ctl {
namespace {

namespace v1 = ::router::v1;

class GatewayCommands final : public CommandGroup {
 public:
  void add(CLI::App& app, const OnCommand& on) override {
    auto* submit =
        app.add_subcommand("submit", "push a test interaction (phone, email, web, work)");
    submit->require_subcommand(1);
    document(
        submit,
        "SubmitInteraction, as a telephony gateway or an email/web front end would send it "
        "(needs a gateway token). Prints the queue, the matched customer, position, EWT, and "
        "whether the id was a replay of an earlier submit.",
        {"routerctl submit phone --ani +14155550123 --dnis +18005550100 --language en",
         "routerctl submit email --from ann@example.com --to billing@example.com",
         "routerctl submit web --visitor v-9 --topic pricing",
         "routerctl submit web --visitor v-9 --topic pricing --callback +14155550123",
         "routerctl submit phone --id call-1 --dnis +18005550100 --attr vip=yes --priority 20"});
    auto add_common_submit_options = [this](CLI::App* command) {
      command
          ->add_option("--id", submit_flags_.interaction_id,
                       "interaction id, 1..128 characters (default: a generated unique id); "
                       "submitting an id again is an idempotent replay")
          ->check([](const std::string& id) {
            return id.empty() || id.size() > 128 ? std::string("must be 1..128 characters")
                                                 : std::string();
          });
      command->add_option("--priority", submit_flags_.priority, "priority 0..100")
          ->check(CLI::Range(router::ctl::kMinPriority, router::ctl::kMaxPriority))
          ->capture_default_str();
      command->add_option("--intent", submit_flags_.intent,
                          "intent, e.g. 'billing' (entry-point rules may match it)");
      command->add_option("--attr", submit_flags_.attributes, "attribute KEY=VALUE (repeatable)")
          ->check(kAttributeWord)
          ->allow_extra_args(false);
    };
    auto* submit_phone = submit->add_subcommand("phone", "a phone call (channel PHONE)");
    add_common_submit_options(submit_phone);
    submit_phone->add_option("--ani", submit_flags_.ani, "caller number, e.g. +14155550123");
    submit_phone->add_option("--dnis", submit_flags_.dnis,
                             "dialled number (selects the entry point), e.g. +18005550100");
    submit_phone->add_option("--ivr-path", submit_flags_.ivr_path,
                             "IVR path, e.g. 'main>billing>disputes'");
    submit_phone->add_option("--digits", submit_flags_.digits, "digits collected by the IVR");
    submit_phone->add_option("--language", submit_flags_.language,
                             "language chosen in the IVR (BCP 47), e.g. en");
    document(submit_phone, "The DNIS selects the entry point.",
             {"routerctl submit phone --ani +14155550123 --dnis +18005550100 --language en"});

    auto* submit_email = submit->add_subcommand("email", "an email (channel EMAIL)");
    add_common_submit_options(submit_email);
    submit_email->add_option("--from", submit_flags_.from, "sender address");
    submit_email->add_option("--to", submit_flags_.to,
                             "receiving mailbox (selects the entry point)");
    submit_email->add_option("--subject", submit_flags_.subject, "subject line");
    submit_email->add_option("--message-id", submit_flags_.message_id,
                             "Message-ID header, without angle brackets");
    submit_email->add_option("--in-reply-to", submit_flags_.in_reply_to,
                             "In-Reply-To header: threads to an earlier email");
    submit_email
        ->add_option("--references", submit_flags_.references,
                     "a References header id, oldest first (repeatable)")
        ->allow_extra_args(false);
    document(submit_email,
             "The receiving mailbox selects the entry point; In-Reply-To and References thread the "
             "email to the customer and agent of an earlier one. The received time is now.",
             {"routerctl submit email --from ann@example.com --to billing@example.com "
              "--subject 'Invoice 42' --message-id m1@example.com",
              "routerctl submit email --from ann@example.com --to billing@example.com "
              "--in-reply-to m1@example.com --references m1@example.com"});

    auto* submit_web =
        submit->add_subcommand("web", "a web chat, or a callback request with --callback");
    add_common_submit_options(submit_web);
    submit_web->add_option("--visitor", submit_flags_.visitor, "anonymous visitor cookie id");
    submit_web->add_option("--account", submit_flags_.account, "logged-in account id");
    submit_web->add_option("--page", submit_flags_.page, "page URL the request came from");
    submit_web->add_option("--topic", submit_flags_.topic,
                           "topic picked in the widget (selects the entry point)");
    submit_web->add_option("--callback", submit_flags_.callback,
                           "number to call back: makes it a WEB_CALLBACK request");
    document(submit_web,
             "Channel WEB_CHAT, or WEB_CALLBACK when --callback gives a number to call. The topic "
             "selects the entry point.",
             {"routerctl submit web --visitor v-9 --topic pricing",
              "routerctl submit web --account acct-42 --topic support --callback +14155550123"});

    auto* submit_work = submit->add_subcommand(
        "work", "a CRM work item: service request, lead, activity or scheduled callback");
    add_common_submit_options(submit_work);
    submit_work
        ->add_option("--type", submit_flags_.work_type,
                     "service_request, lead, activity or callback (selects the entry point)")
        ->required();
    submit_work->add_option("--customer", submit_flags_.customer_id, "the CRM's customer id");
    submit_work->add_option("--owner", submit_flags_.owner,
                            "owner hint: the agent who should get it if free");
    submit_work->add_option("--subject", submit_flags_.subject, "for the agent's desktop");
    submit_work->add_option("--callback", submit_flags_.callback,
                            "number to call (required for --type callback)");
    submit_work->add_option("--due", due_,
                            "done by: +8h, 2026-12-04T17:00 (default: the queue's SL threshold)");
    submit_work->add_option("--not-before", not_before_,
                            "not routed before: +1h, 2026-12-04T09:00 (SCHEDULED until then)");
    document(submit_work,
             "Channel WORK_ITEM (docs/routing.md, \"Work items\"). The type selects the entry "
             "point; --due and --not-before take +N or -N with s, m, h or d, or a local or "
             "RFC 3339 time.",
             {"routerctl submit work --type service_request --customer C1 --due +8h",
              "routerctl submit work --type callback --callback +14155550123 --not-before +1h",
              "routerctl submit work --type lead --customer C7 --owner a01 --subject 'Renewal'"});

    on(submit_phone, [&](Session& s) { return run_submit(s, "phone"); });
    on(submit_work, [&](Session& s) {
      for (auto [flag, text, out] :
           {std::tuple{"--due", &due_, &submit_flags_.due},
            std::tuple{"--not-before", &not_before_, &submit_flags_.not_before}}) {
        if (text->empty()) continue;
        auto when = router::ctl::parse_when(flag, *text, std::chrono::system_clock::now());
        if (!when) usage_error("submit work", when.error());
        *out = *when;
      }
      return run_submit(s, "work");
    });
    on(submit_email, [&](Session& s) { return run_submit(s, "email"); });
    on(submit_web, [&](Session& s) { return run_submit(s, "web"); });

    auto* cancel = app.add_subcommand("cancel", "cancel a waiting interaction (caller hung up)");
    cancel->add_option("ID", interaction_id_, "interaction id")->required();
    cancel->add_option("--reason", cancel_reason_, "reason, for routerd's logs")
        ->capture_default_str();
    document(cancel,
             "CancelInteraction, as a gateway sends it when the caller hangs up (needs a gateway "
             "token). FAILED_PRECONDITION once the interaction is assigned.",
             {"routerctl cancel ph-1001", "routerctl cancel ph-1001 --reason caller_hangup"});
    on(cancel, [&](Session& s) {
      v1::CancelInteractionRequest request;
      request.set_interaction_id(interaction_id_);
      request.set_reason(cancel_reason_);
      return s.unary<v1::CancelInteractionResponse>(
          [&](grpc::ClientContext* c, v1::CancelInteractionResponse* r) {
            return s.connection().interactions().CancelInteraction(c, request, r);
          },
          [](const v1::CancelInteractionResponse& r) {
            return router::ctl::render_interaction(r.interaction(), now());
          });
    });
  }

 private:
  int run_submit(Session& s, const char* channel) {
    submit_flags_.channel = channel;
    if (submit_flags_.interaction_id.empty()) {
      submit_flags_.interaction_id = router::ctl::generate_interaction_id(channel);
    }
    if (submit_flags_.channel == "email") submit_flags_.received = router::ctl::to_timestamp(now());
    auto request = router::ctl::build_submit_request(submit_flags_);
    if (!request) usage_error("submit " + std::string(channel), request.error());
    return s.unary<v1::SubmitInteractionResponse>(
        [&](grpc::ClientContext* c, v1::SubmitInteractionResponse* r) {
          return s.connection().interactions().SubmitInteraction(c, *request, r);
        },
        [](const v1::SubmitInteractionResponse& r) { return router::ctl::render_submit(r); });
  }

  router::ctl::SubmitFlags submit_flags_;
  std::string due_, not_before_;  // submit work: parsed when it runs
  std::string cancel_reason_ = "routerctl";
  std::string interaction_id_;
};

}  // namespace

std::unique_ptr<CommandGroup> gateway_commands() { return std::make_unique<GatewayCommands>(); }

}  // namespace router::ctl
