// Writes the seeds of corpus/rest_answer/ from the SIMULATORs' own renderers
// (adapters/business/sim_json.cc, adapters/insurance/sim_json.cc) over their default data sets:
// each seed is the mode byte, the subject asked for, '\n', and the answer body
// (rest_answer_fuzz.cc). Not built by default:
//   cmake --build BUILD --target make_rest_answer_seeds
//   BUILD/tests/fuzz/make_rest_answer_seeds tests/fuzz/corpus/rest_answer
// The hand-made edge-* seeds in that directory are not written by this program.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "adapters/business/sim_json.h"
#include "adapters/insurance/sim_json.h"

namespace {

namespace bsim = lienthong::business::sim;
namespace isim = lienthong::insurance::sim;

void write(const std::filesystem::path& dir, const std::string& name, char mode,
           const std::string& subject, const std::string& body) {
  std::ofstream out(dir / name, std::ios::binary);
  out << mode << subject << '\n' << body;
  if (!out) throw std::runtime_error("cannot write " + (dir / name).string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  const auto citizens = std::make_shared<const lienthong::population::sim::CitizenDataset>();
  const auto enterprises = std::make_shared<const bsim::EnterpriseDataset>(citizens);
  const isim::InsuredDataset insured(citizens, enterprises);

  // Enterprises with one representative (an object in shape one) and with several (an array).
  std::optional<bsim::Enterprise> one, several;
  for (uint64_t i = 0; !one || !several; ++i) {
    auto e = enterprises->find(enterprises->code_at(i));
    if (!e) continue;
    if (e->representatives.size() == 1 && !one) one = e;
    if (e->representatives.size() > 1 && !several) several = e;
  }
  write(dir, "business-nested-one-representative", '0', one->code,
        bsim::render_answer(*one, bsim::AnswerShape::kNested));
  write(dir, "business-nested-representatives", '0', several->code,
        bsim::render_answer(*several, bsim::AnswerShape::kNested));
  write(dir, "business-flat", '0', several->code,
        bsim::render_answer(*several, bsim::AnswerShape::kFlat));
  write(dir, "business-flat-b64false", '1', one->code,
        bsim::render_answer(*one, bsim::AnswerShape::kFlat));
  write(dir, "business-nested-other-enterprise", '0', several->code,
        bsim::render_answer(*one, bsim::AnswerShape::kNested));
  write(dir, "business-not-found-nested", '0', one->code,
        bsim::render_not_found(bsim::AnswerShape::kNested));
  write(dir, "business-not-found-flat", '0', one->code,
        bsim::render_not_found(bsim::AnswerShape::kFlat));

  // Insured people with several contribution periods (one still open: denThang null) and with
  // none; asked for by social insurance code and by personal ID.
  std::optional<isim::InsuredPerson> periods, none;
  for (uint64_t i = 0; !periods || !none; ++i) {
    auto p = insured.at(i);
    if (p.periods.size() >= 2 && !periods) periods = p;
    if (p.periods.empty() && !none) none = p;
  }
  write(dir, "insurance-periods-by-code", '0', periods->insurance_code,
        isim::render_answer(*periods));
  write(dir, "insurance-periods-by-personal-id", '0', periods->citizen.personal_id,
        isim::render_answer(*periods));
  write(dir, "insurance-periods-b64false", '1', periods->insurance_code,
        isim::render_answer(*periods));
  write(dir, "insurance-no-periods", '0', none->insurance_code, isim::render_answer(*none));
  write(dir, "insurance-other-person", '0', none->insurance_code, isim::render_answer(*periods));
  write(dir, "insurance-not-found", '0', periods->insurance_code, isim::render_not_found());
  return 0;
}
