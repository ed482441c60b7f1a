def derived_mistakes(mistakes_of, example):
    """{explanation: a function that makes that mistake}, for the `mistakes`
    of check_function, from mistakes_of(*arguments), which returns
    {explanation: the wrong answer} for one case's arguments (numbers) and
    is worked out once per case. `example` is any case: its keys name the
    mistakes.
    """
    made = {}

    def mistake(text):
        def answer(*arguments):
            if arguments not in made:
                made[arguments] = mistakes_of(*arguments)
            return made[arguments][text]

        return answer

    return {text: mistake(text) for text in mistakes_of(*example)}
