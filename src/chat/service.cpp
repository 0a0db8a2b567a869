#include "chat/service.hpp"

namespace writeen::chat {

service::service(store::database& db, hub::hub& hub, options opts)
    : db_(db),
      hub_(hub),
      writer_(db, cache_),
      users_(writer_),
      rate_limiter_(opts.rate_limit_per_second, &hub.cluster_bus()),
      conversations_(writer_, hub, users_),
      messages_(writer_, hub, cache_, users_, rate_limiter_, {.max_text_chars = opts.max_text_chars}),
      cursors_(writer_, hub),
      presence_(db, hub, users_, cache_, opts.presence_large_group),
      files_(writer_, hub, cache_, users_, messages_, {.max_text_chars = opts.max_text_chars}),
      consultations_(writer_, hub),
      sessions_(writer_) {
    // Conversation changes cross nodes: ours are announced after commit, theirs drop our copy.
    cache_.on_changed([&hub](const std::string& id) { hub.publish_invalidation(id); });
    hub_.on_invalidation([this](const std::string& id) { cache_.invalidate(id); });
}

}  // namespace writeen::chat
