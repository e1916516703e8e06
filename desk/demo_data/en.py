"""Requests in English: from the United Kingdom (UK GDPR, with the nation), California (CCPA),
Virginia, Colorado, Brazil, Canada, Switzerland and Germany, each under its own law."""

from __future__ import annotations

from desk.demo_data.requests import (
    DemoRequest,
    Step,
    answer,
    ask_details,
    ask_identity,
    claim,
    close,
    extend,
    note,
    rate,
    reply,
    resolve,
)
from tickets.choices import Kind, Outcome


def english(name: str, place: str, kind: str, age: float, description: str, *steps: Step) -> DemoRequest:
    """`place` is the country, or country-region for a US state or a UK nation ("GB-SCT")."""
    country, _, region = place.partition("-")
    return DemoRequest(name=name, country=country, region=region, language="en", kind=kind,
                       age=age, description=description, steps=steps)


UNITED_KINGDOM: tuple[DemoRequest, ...] = (
    english(
        "Oliver Bennett", "GB-ENG", Kind.ACCESS, 68,
        "This is a subject access request under the UK GDPR. Please send me a copy of all the "
        "personal data you hold about me, including my order history, notes from customer "
        "service calls, call recordings and the marketing preferences on my account. I am "
        "writing from my personal address; the account uses my old work email.",
        claim(0.9, "agent"),
        ask_identity(1, "agent",
                     "Dear Mr Bennett,\n\nThank you for your request. Because it comes from an "
                     "email address that is not linked to your account, we need to confirm your "
                     "identity before we send you any data. Please reply with your customer "
                     "number or the phone number on the account, and the date of your most "
                     "recent order."),
        answer(3, "My customer number is 5520871 and my last order was a floor lamp, delivered "
                  "to my home in Leeds at the start of the summer. The phone number on the "
                  "account ends in 334."),
        note(4, "agent",
             "Identity confirmed against the account (customer number, phone, last order). Two "
             "call recordings found at the telephony provider."),
        resolve(16, "agent", Outcome.FULFILLED,
                "Dear Mr Bennett,\n\nYour data is in the encrypted file we have sent separately: "
                "your account details, 23 orders since 2020, the notes from three customer "
                "service contacts, two call recordings, and your marketing preferences (email: "
                "yes, post: no). We use this data to deliver your orders and, with your consent, "
                "to send you our newsletter. It has been shared only with our delivery and "
                "payment partners."),
        rate(17, 4, "Thorough answer. It took a while but everything was there."),
        close(31, "manager"),
    ),
    english(
        "Oliver Bennett", "GB-ENG", Kind.ERASURE, 26,
        "Following your reply to my access request, please now delete my account and the call "
        "recordings. I no longer want to shop with you.",
        claim(1, "agent"),
        reply(1.1, "agent",
              "Dear Mr Bennett,\n\nThank you. We will delete your account and the call "
              "recordings and confirm to you when this is done. The invoices for your orders "
              "must be kept for the statutory period; we will tell you exactly what remains "
              "and why."),
    ),
    english(
        "Priya Patel", "GB-ENG", Kind.ERASURE, 44,
        "Please delete my account and all the data you hold about me. I cancelled my Example "
        "Club membership last year and no longer wish to be your customer.",
        claim(1, "agent"),
        note(3, "agent", "Two orders within the last six years: their invoices must be kept. "
                         "Everything else can be deleted."),
        resolve(5, "agent", Outcome.PARTLY_FULFILLED,
                "Dear Ms Patel,\n\nWe have deleted your account, your Example Club history, "
                "your marketing preferences and your saved addresses. We must keep the invoices "
                "for your two most recent orders until the legal retention period for accounting "
                "records ends. They are held in our accounting system only, used for nothing "
                "else, and will be deleted automatically when that period ends.",
                reason="Invoices are accounting records that must be kept for six years (Finnish "
                       "Accounting Act, chapter 2, section 10); UK GDPR Article 17(3)(b)."),
        rate(6, 2, "I asked for everything to be deleted and you still keep my data."),
    ),
    english(
        "Priya Patel", "GB-ENG", Kind.COMPLAINT, 37,
        "I want to complain about how you handled my deletion request. I asked you to delete "
        "all my data and you kept my invoices anyway. I did not agree to that and I don't see "
        "why a Finnish law should apply to me.",
        claim(1, "agent2"),
        note(2, "dpo",
             "Reviewed the erasure: only the two invoices were kept, under the bookkeeping duty "
             "of the seller's own country. The refusal to delete them is justified; explain it "
             "plainly and name the ICO."),
        resolve(3, "agent2", Outcome.REFUSED,
                "Dear Ms Patel,\n\nWe have reviewed your complaint with our Data Protection "
                "Officer. We have kept only the invoices for your two most recent orders: as a "
                "Finnish company we must keep our accounting records for six years, whoever the "
                "customer is. They are not used for any other purpose and will be deleted "
                "automatically when the period ends, so we cannot delete them now. If you are "
                "not satisfied with this answer, you can complain to the Information "
                "Commissioner's Office.",
                reason="The invoices are accounting records that the company must keep for six "
                       "years (Finnish Accounting Act, chapter 2, section 10); UK GDPR Article "
                       "17(3)(b) allows keeping them."),
    ),
    english(
        "Fiona MacLeod", "GB-SCT", Kind.COMPLAINT, 37,
        "I want to complain about how my subject access request was handled. I asked for a copy "
        "of my data in the summer and only received part of it after two reminders. The call "
        "recordings were missing and nobody explained why.",
        claim(1, "manager"),
        reply(1.1, "manager",
              "Dear Ms MacLeod,\n\nThank you for raising this, and we are sorry. We are reviewing "
              "how your earlier request was handled and will write to you with what we find."),
        note(6, "manager",
             "The earlier request was answered by email before the desk was in use, and the "
             "telephony provider's recordings were not searched. Retrieve them now."),
        resolve(14, "manager", Outcome.PARTLY_FULFILLED,
                "Dear Ms MacLeod,\n\nYou are right that your earlier request was answered late "
                "and that the call recordings were not searched: we have now found two "
                "recordings and sent them to you separately. We do not agree that any data was "
                "withheld on purpose: the recordings were held by our telephony provider, and "
                "the search did not include their system. Every access request now covers it.",
                reason="Partly upheld: the earlier reply was late and left out the call "
                       "recordings, but no data was withheld on purpose."),
    ),
    english(
        "Gareth Davies", "GB-WLS", Kind.RECTIFICATION, 36,
        "Your records still show me living in Cardiff, but I moved to Swansea two years ago. "
        "Your delivery partner keeps using the old address and a parcel was left with the new "
        "tenants. Please correct my address everywhere and tell me which partners you gave the "
        "wrong one to.",
        claim(2, "agent"),
        reply(2.1, "agent",
              "Dear Mr Davies,\n\nWe have corrected the address on your account. We are now "
              "checking which of our partners received the old address, and will ask them to "
              "correct it too."),
        note(10, "agent", "The delivery partner has not confirmed the correction yet. Asked "
                          "again."),
    ),
    english(
        "Siobhan O'Neill", "GB-NIR", Kind.QUESTION, 5,
        "How long do you keep the card details from my online orders, and are they stored by "
        "you or by the payment provider? I'd like to know before I order again.",
        claim(1, "agent2"),
        reply(1.2, "agent2",
              "Dear Ms O'Neill,\n\nThank you for your question. We do not store card numbers "
              "ourselves: payments are handled by our payment provider, and we keep only a "
              "reference to each payment. We are confirming with the provider how long they "
              "keep card details, and will let you know."),
    ),
    english(
        "James Thompson", "GB-ENG", Kind.ACCESS, 0.6,
        "I'd like a copy of all the personal data you hold about me, including anything "
        "collected through your app (location, device identifiers) and any profiles or "
        "segments you have put me in for marketing.",
    ),
    english(
        "Emily Clarke", "GB-ENG", Kind.CONSENT_WITHDRAWAL, 16,
        "I withdraw my consent to marketing emails and to the use of cookies for personalised "
        "ads when I'm logged in to your shop. Please confirm once this is done.",
        claim(1, "agent"),
        resolve(1.3, "agent", Outcome.FULFILLED,
                "Dear Ms Clarke,\n\nWe have recorded the withdrawal of your consent to marketing "
                "emails and to personalised advertising. You will receive no further marketing "
                "from us, and our shop no longer sets advertising cookies when you are logged "
                "in."),
        rate(2, 5),
    ),
)

UNITED_STATES: tuple[DemoRequest, ...] = (
    english(
        "Maria Gonzalez", "US-CA", Kind.OPT_OUT, 50,
        "Do not sell or share my personal information. Ads for your products follow me on other "
        "websites after I browse your store, which I understand counts as sharing under the "
        "CCPA. Please opt me out of all cross-context behavioral advertising.",
        claim(1, "agent"),
        resolve(3, "agent", Outcome.FULFILLED,
                "Dear Ms Gonzalez,\n\nWe have opted you out of the sale and sharing of your "
                "personal information. Your email address has been removed from the audiences "
                "we share with advertising partners, and advertising cookies are switched off "
                "for your account. Our site also respects the Global Privacy Control signal if "
                "your browser sends it."),
        close(18, "manager"),
    ),
    english(
        "Kevin Nguyen", "US-CA", Kind.ACCESS, 34,
        "Under the CCPA I request to know the specific pieces of personal information you have "
        "collected about me in the past 12 months, the categories of sources, the business "
        "purposes, and the categories of third parties you disclosed it to.",
        claim(1, "agent"),
        reply(2, "agent",
              "Dear Mr Nguyen,\n\nWe have verified your request against your account and are "
              "collecting the information. We will respond within 45 days of receiving your "
              "request."),
        note(12, "agent", "Two advertising partners still have to confirm what they received "
                          "from us."),
        extend(30, "agent",
               "Your request covers data held by several of our service providers, and we need "
               "more time to collect complete answers from them. We will respond within the "
               "additional 45 days the CCPA allows."),
    ),
    english(
        "Kevin Nguyen", "US-CA", Kind.OPT_OUT, 1.2,
        "Do not sell or share my personal information. I don't want my purchase history passed "
        "to advertising networks while you are still answering my other request.",
    ),
    english(
        "Ashley Robinson", "US-CA", Kind.ERASURE, 10,
        "Please delete all the personal information you have about me, including my account, "
        "my order history and any data you got about me from third parties. I'm switching to "
        "another store.",
        claim(1, "agent"),
        ask_identity(1.2, "agent",
                     "Dear Ms Robinson,\n\nBefore we delete your information, we need to verify "
                     "that the request comes from you. Please sign in to your account and "
                     "confirm the request there, or reply with the phone number on your account "
                     "and the amount of your most recent order."),
    ),
    english(
        "Robert Miller", "US-VA", Kind.ACCESS, 47,
        "I'm a Virginia resident. Please confirm whether you process my personal data and send "
        "me a copy of it, as the Virginia Consumer Data Protection Act allows.",
        claim(2, "agent"),
        reply(2.1, "agent",
              "Dear Mr Miller,\n\nThank you for your request. We are collecting your data and "
              "will send it to you within 45 days of receiving your request."),
        resolve(20, "agent", Outcome.FULFILLED,
                "Dear Mr Miller,\n\nWe confirm that we process your personal data. A copy is in "
                "the encrypted file we have sent separately: your contact details, six orders "
                "and your newsletter subscription. We do not sell your data or use it for "
                "targeted advertising."),
        rate(21, 4),
    ),
    english(
        "Tyler Brooks", "US-CO", Kind.OPT_OUT, 39,
        "Under the Colorado Privacy Act I opt out of the sale of my personal data, targeted "
        "advertising and profiling. Please confirm.",
        claim(1, "agent"),
        resolve(2, "agent", Outcome.FULFILLED,
                "Dear Mr Brooks,\n\nWe have opted you out of the sale of your personal data, of "
                "targeted advertising and of profiling. Your data is no longer shared with "
                "advertising partners and is not used to build a marketing profile."),
        rate(2.5, 5, "Quick and clear, thanks."),
    ),
    english(
        "Megan Foster", "US-CO", Kind.ACCESS, 7,
        "Please send me a copy of the personal data you hold about me, in a format I can reuse. "
        "I'd also like to know whether you use it for profiling.",
        claim(2, "manager"),
        reply(2.2, "manager",
              "Dear Ms Foster,\n\nThank you for your request. We are collecting your data and "
              "will send it to you as a file you can download, with an explanation of how we use "
              "it, including whether it is used for profiling."),
    ),
)

ELSEWHERE: tuple[DemoRequest, ...] = (
    english(
        "Lucas Oliveira", "BR", Kind.ACCESS, 55,
        "Hello, I live in São Paulo and bought from your online store last year. Under the "
        "LGPD I would like confirmation of whether you process my personal data, and a copy of "
        "it. Sorry for my English.",
        claim(1, "agent"),
        resolve(6, "agent", Outcome.FULFILLED,
                "Dear Mr Oliveira,\n\nWe confirm that we process your personal data for your "
                "orders. A complete copy is in the encrypted file we have sent separately: your "
                "contact details, your two orders and your delivery address. Your English is "
                "perfectly clear, and thank you for writing to us."),
        close(20, "manager"),
    ),
    english(
        "Camila Santos", "BR", Kind.ERASURE, 12,
        "Please delete my personal data, I don't use your store anymore. I also want to know if "
        "you shared my data with any company outside Brazil.",
        claim(2, "manager"),
        reply(2.1, "manager",
              "Dear Ms Santos,\n\nThank you for your request. We are deleting your account and "
              "will confirm this to you, together with the companies that received your data: "
              "our delivery partner and our payment provider, both in the EU."),
    ),
    english(
        "Marc Tremblay", "CA", Kind.ACCESS, 63,
        "I would like access to all the personal information your company holds about me, "
        "including the recordings of my calls to customer service about a damaged order in the "
        "spring. I live in Montreal.",
        claim(1, "agent"),
        reply(1.1, "agent",
              "Dear Mr Tremblay,\n\nThank you for your request. We are collecting your "
              "information, including the call recordings, and will send it to you."),
        resolve(34, "agent", Outcome.PARTLY_FULFILLED,
                "Dear Mr Tremblay,\n\nYour personal information is in the encrypted file we have "
                "sent separately, including your orders and the notes from your calls. In one of "
                "the two recordings, our employee also discusses another customer's order: "
                "instead of that recording, we have sent you a transcript of your call with "
                "that part removed. We are sorry that this answer is later than it should "
                "have been.",
                reason="One call recording also holds another customer's personal information, "
                       "which cannot be separated from the audio (PIPEDA, section 9(1)); a "
                       "transcript with that part removed was given instead."),
        rate(35, 3),
        close(49, "manager"),
    ),
    english(
        "Emma Wilson", "CA", Kind.RECTIFICATION, 15,
        "My Example Club account lists my date of birth and phone number incorrectly, so I "
        "can't verify my account by phone. Please correct them.",
        claim(1, "agent"),
        ask_details(1.1, "agent",
                    "Dear Ms Wilson,\n\nWe will gladly correct these. Please tell us the correct "
                    "date of birth and phone number; for your security, please do not send any "
                    "other details."),
    ),
    english(
        "Lukas Meier", "CH", Kind.ACCESS, 31,
        "I'm writing from Zurich. Under the Swiss data protection act I would like to know "
        "which personal data you process about me, for what purpose, and whether it is "
        "transferred outside Switzerland.",
        claim(1, "agent"),
        resolve(12, "agent", Outcome.FULFILLED,
                "Dear Mr Meier,\n\nThe information you asked for is in the encrypted file we "
                "have sent separately: your account and order data, the purposes we use them "
                "for (orders, customer service and, with your consent, the newsletter), and who "
                "receives them. Your data is processed in Finland, in the EU, which "
                "Switzerland recognises as providing adequate protection."),
        rate(13, 5),
    ),
    english(
        "Sophie Keller", "CH", Kind.ERASURE, 5,
        "Please delete my customer account and all my data. The account was created under my "
        "maiden name, Sophie Brunner.",
        claim(1, "agent"),
        ask_identity(1.1, "agent",
                     "Dear Ms Keller,\n\nThank you. Since the account is in another name, we need "
                     "to confirm that it is yours before we delete it. Please reply with the "
                     "customer number or the phone number on the account."),
    ),
    english(
        "Thomas Becker", "DE", Kind.QUESTION, 15,
        "Do you transfer customer data to the United States, for example to cloud or analytics "
        "providers? If so, on what legal basis? I couldn't find this in your privacy notice.",
        claim(1, "agent2"),
        resolve(3, "agent2", Outcome.FULFILLED,
                "Dear Mr Becker,\n\nThank you for your question. Our web analytics provider is a "
                "US company certified under the EU-US Data Privacy Framework, and that transfer "
                "relies on the Commission's adequacy decision for it (Article 45 GDPR). Our "
                "other providers store data in the EU. We will add the list of providers to our "
                "privacy notice."),
    ),
)

ENGLISH: tuple[DemoRequest, ...] = (*UNITED_KINGDOM, *UNITED_STATES, *ELSEWHERE)
