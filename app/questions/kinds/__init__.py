"""One module per question type; app.questions.registry lists them."""
