#pragma once
#include "engine.hpp"

namespace loadgen {

/// Makes the scenario exist on a Writeen server through its REST API: every user calls
/// GET /api/conversations once (the server learns users from their tokens), then the first
/// member of each conversation creates it with POST /api/conversations. Fills the ids.
/// Throws std::runtime_error when a request fails for good.
void rest_setup(const options& opts, const tcp::endpoint& server,
                const std::vector<std::string>& tokens, scenario_plan& plan);

}  // namespace loadgen
