"""What one message means for the triage, and what to say next: pure Python, no Rasa.

``read_reply`` turns a message into ONE typed reply value (an answer to the open
question, a button, a plain request to stop, restart, carry on...);
``take_turn`` applies it with one handler per kind. The Rasa actions are thin
adapters over these functions.
"""
from assistant.conversation.messages import (
                                             Message,
                                             ask,
                                             danger_message,
                                             emergency_sentence,
                                             question_message,
                                             step_message,
                                             words,
)
from assistant.conversation.replies import (
                                             Answer,
                                             ButtonAnswer,
                                             FreeText,
                                             Interrupt,
                                             OutOfRange,
                                             Reply,
                                             Restart,
                                             RestartConfirmed,
                                             Resume,
                                             ShowAdvice,
                                             Stop,
                                             Unclear,
                                             WhyAsk,
                                             payload_facts,
                                             read_reply,
)
from assistant.conversation.turn import Turn, take_turn, usable_facts

__all__ = [
    "Message", "ask", "danger_message", "emergency_sentence", "question_message", "step_message", "words",
    "Answer", "ButtonAnswer", "FreeText", "Interrupt", "OutOfRange", "Reply", "Restart", "RestartConfirmed",
    "Resume", "ShowAdvice", "Stop", "Unclear", "WhyAsk", "payload_facts", "read_reply", "Turn", "take_turn",
    "usable_facts",
]
