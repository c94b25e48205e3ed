// The feedback card at the end of a resolved conversation: satisfaction (stars or faces), effort, likelihood to
// recommend and a comment, as the inbox asks them. One answer per conversation, which the visitor can change for a
// short while; the card only reports what was chosen, and the page sends it.
import type { Survey, SurveyAnswer } from "./api";
import { h } from "./dom";
import { format, type Strings } from "./i18n";

const faces = ["😞", "🙁", "😐", "🙂", "😀"];

export function surveyCard(survey: Survey, t: Strings, send: (answer: SurveyAnswer) => Promise<boolean>): HTMLElement {
  const card = h("div", { class: "survey", role: "group", "aria-label": t.feedback });
  const answer: SurveyAnswer = { ...(survey.answer || {}) };
  const editable = () => !survey.editableUntil || Date.parse(survey.editableUntil) > Date.now();

  const scale = (key: "rating" | "effort" | "recommend", question: string, lowest: number, highest: number, label: (score: number) => string, ends?: [string, string]) => {
    const buttons: HTMLButtonElement[] = [];
    const pick = (score: number) => {
      answer[key] = score;
      buttons.forEach((button, i) => button.setAttribute("aria-pressed", String(key === "rating" && survey.questions.rating === "Stars" ? i + lowest <= score : i + lowest === score)));
      sendButton.disabled = false;
    };
    for (let score = lowest; score <= highest; score++) {
      buttons.push(h("button", { type: "button", class: "score", "aria-label": format(t.scoreOf, String(score), String(highest)), onclick: () => pick(score) }, label(score)));
    }
    if (answer[key] != null) queueMicrotask(() => pick(answer[key]!));
    return h(
      "fieldset",
      null,
      h("legend", null, question),
      h("div", { class: "scale " + key }, ...buttons),
      ends && h("div", { class: "ends", "aria-hidden": "true" }, h("span", null, ends[0]), h("span", null, ends[1])),
    );
  };

  const comment = h("textarea", { rows: 2, maxlength: 2000, placeholder: t.commentPlaceholder, "aria-label": t.commentPlaceholder });
  comment.value = answer.comment || "";
  comment.addEventListener("input", () => (sendButton.disabled = false));
  const sendButton = h("button", { type: "button", class: "send-feedback", disabled: true }, t.sendFeedback);
  const form = h(
    "div",
    { class: "survey-form" },
    survey.questions.rating !== "None" &&
      scale("rating", t.rateQuestion, 1, 5, (score) => (survey.questions.rating === "Emoji" ? faces[score - 1] : "★")),
    survey.questions.askEffort && scale("effort", t.effortQuestion, 1, 7, String, [t.veryDifficult, t.veryEasy]),
    survey.questions.askRecommend && scale("recommend", t.recommendQuestion, 0, 10, String, [t.notLikely, t.veryLikely]),
    survey.questions.askComment && comment,
    sendButton,
  );
  const thanks = h("p", { class: "thanks", role: "status" }, t.feedbackThanks);
  const change = h("button", { type: "button", class: "link" }, t.changeAnswer);
  const done = h("div", { class: "survey-done" }, thanks, change);

  const show = (answered: boolean) => {
    form.hidden = answered;
    done.hidden = !answered;
    change.hidden = !editable();
  };
  sendButton.addEventListener("click", async () => {
    sendButton.disabled = true;
    if (survey.questions.askComment) answer.comment = comment.value.trim() || null;
    if (await send(answer)) show(true);
    else sendButton.disabled = false;
  });
  change.addEventListener("click", () => show(false));
  show(!!survey.answer);
  card.append(form, done);
  return card;
}
