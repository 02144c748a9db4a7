// Stripe.js on the store's pages (docs/payments.md). On the checkout page, Stripe's card form:
// the card details go from this page to Stripe, and the store receives only a PaymentMethod id
// in the hidden field; the server does the rest (one order per checkout key, however often the
// form is sent). On the confirmation page, Stripe.js shows the bank's check (3-D Secure); the
// receipt page then waits for Stripe's webhook to finish the order.
(function () {
  "use strict";

  function say(box, text) {
    var error = box.querySelector("[data-stripe-error]");
    if (!error) return;
    error.textContent = text;
    error.hidden = !text;
  }

  var card = document.querySelector("[data-stripe-card]");
  if (card) {
    if (typeof Stripe === "undefined") {
      say(card, card.dataset.unavailable || "");
    } else {
      var form = card.closest("form");
      var stripe = Stripe(card.dataset.key, { locale: card.dataset.locale || "auto" });
      var elements = stripe.elements({
        mode: "payment",
        amount: Number(card.dataset.amount),
        currency: card.dataset.currency,
        // As the server's PaymentIntent: a sale, captured by Stripe as soon as it is authorised.
        captureMethod: "automatic",
        paymentMethodCreation: "manual",
        paymentMethodTypes: ["card"],
      });
      elements.create("payment").mount(card.querySelector(".stripe-element"));
      var method = form.querySelector("input[name=payment_method_id]");
      var field = function (name) {
        var input = form.querySelector("[name=" + name + "]");
        return input ? input.value : "";
      };
      // Runs before the page's own submit handler (capture), which it holds back until Stripe
      // has answered: only then is the form sent, with the PaymentMethod id.
      form.addEventListener("submit", function (event) {
        var button = event.submitter;
        if (!button || !button.classList.contains("place") || method.value) return;
        event.preventDefault();
        event.stopImmediatePropagation();
        if (form.dataset.carding) return;
        form.dataset.carding = "1";
        button.disabled = true;
        say(card, "");
        elements.submit().then(function (result) {
          if (result.error) throw result.error;
          return stripe.createPaymentMethod({
            elements: elements,
            params: { billing_details: { name: field("name"), email: field("email") } },
          });
        }).then(function (result) {
          if (result.error) throw result.error;
          method.value = result.paymentMethod.id;
          delete form.dataset.carding;
          button.disabled = false;
          form.requestSubmit(button);
        }).catch(function (error) {
          delete form.dataset.carding;
          button.disabled = false;
          say(card, error.message || card.dataset.unavailable || "");
        });
      }, true);
    }
  }

  var confirm = document.querySelector("[data-stripe-confirm]");
  if (confirm && confirm.dataset.secret) {
    if (typeof Stripe === "undefined") {
      say(confirm, confirm.dataset.unavailable || "");
    } else {
      Stripe(confirm.dataset.key).handleNextAction({ clientSecret: confirm.dataset.secret })
        .then(function (result) {
          if (result.error) {
            say(confirm, result.error.message || "");
            return;
          }
          window.location.assign(confirm.dataset.next);
        });
    }
  }
})();
