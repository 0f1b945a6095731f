#!/usr/bin/env bash
# Writes tests/fuzz/corpus/request_fuzzer/: one seed per RPC, its first byte the RPC's index in
# router.proto (services and methods in file order, as request_fuzzer enumerates them), then the
# request serialized from the text form below (protoc --encode). Re-run after adding an RPC.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/fuzz/corpus/request_fuzzer
mkdir -p "$out"

# index name request-type text-form
seed() {
  local index=$1 name=$2 type=$3 text=$4
  {
    printf "\\x$(printf '%02x' "$index")"
    protoc -I proto --encode="router.v1.$type" router/v1/router.proto <<<"$text"
  } >"$out/$(printf '%02d' "$index")_$name"
}

seed 0 submit_phone SubmitInteractionRequest \
  'interaction_id: "gw1-000042" channel: PHONE priority: 5 intent: "billing"
   attributes { key: "ivr_path" value: "1-3" }
   phone { ani: "+1 212 555 0137" dnis: "+18005550101" language: "en" }'
seed 0 submit_email SubmitInteractionRequest \
  'interaction_id: "mail-7" channel: EMAIL
   email { from: "Tess Lewis <Tess.Lewis@mail.example.com>" to_mailbox: "billing@example.com"
           subject: "Invoice" message_id: "<r2@mail.example.com>"
           in_reply_to: "<r1@mail.example.com>" references: "<r0@mail.example.com>" }'
seed 0 submit_callback SubmitInteractionRequest \
  'interaction_id: "web-9" channel: WEB_CALLBACK
   web { visitor_id: "v-2523e0" account_id: "acct-5001" topic: "callback"
         callback_number: "303.555.0182" }'
seed 1 cancel CancelInteractionRequest 'interaction_id: "fuzz-1" reason: "caller_hangup"'
seed 2 get GetInteractionRequest 'interaction_id: "fuzz-1"'
seed 3 watch_interactions WatchInteractionsRequest 'interaction_ids: "fuzz-1" interaction_ids: "x"'
seed 4 login LoginRequest 'agent: "a03" ready: true'
seed 5 logout LogoutRequest 'agent: "a01"'
seed 6 set_state SetStateRequest 'agent: "a02" state: NOT_READY reason: "break"'
seed 7 stream_work StreamWorkRequest 'agent: "a02"'
seed 8 accept OfferRequest 'agent: "a01" interaction_id: "fuzz-1"'
seed 9 reject OfferRequest 'agent: "a01" interaction_id: "fuzz-1"'
seed 10 complete CompleteRequest 'agent: "a01" interaction_id: "fuzz-1" wrap_up_code: "sold"'
seed 11 end_wrap_up OfferRequest 'agent: "a01" interaction_id: "fuzz-1"'
seed 12 transfer TransferRequest 'agent: "a01" interaction_id: "fuzz-1" queue: "billing-phone"'
seed 13 queue_stats GetQueueStatsRequest 'queues: "sales-phone" queues: "vip"'
seed 14 list_agents ListAgentsRequest 'team: "sales"'
seed 15 list_interactions ListInteractionsRequest 'queue: "sales-phone" limit: 10'
seed 16 watch_queues WatchQueuesRequest 'queues: "vip" interval_s: 0.5'
seed 17 explain ExplainRoutingRequest 'interaction_id: "fuzz-1"'
seed 18 update_skills UpdateAgentSkillsRequest \
  'agent: "a02" skills { skill: "sales" level: 9 } skills { skill: "vip" level: 6 }'
seed 19 force_state SetStateRequest 'agent: "a01" state: LOGGED_OUT'
seed 20 set_priority SetInteractionPriorityRequest 'interaction_id: "fuzz-1" priority: 80'
seed 21 move MoveInteractionRequest 'interaction_id: "fuzz-1" queue: "vip"'
seed 22 reload ReloadConfigRequest ''
ls "$out" | wc -l
