import Testing
import QuenchModel
@testable import QuenchTokenizer

/// Recognising model chat templates and rendering conversations with them.
@Suite struct ChatTemplateTests {
    static let smolLM2Template = """
        {% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
        You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
        ' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}
        """

    /// The system part of Qwen 2.5's template: a variable system message first, then the literal default.
    static let qwen25Template = """
        {%- if messages[0]['role'] == 'system' %}
            {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
        {%- else %}
            {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
        {%- endif %}
        {%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}{%- endfor %}
        """

    static let llama3Template = """
        {% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}
        """

    let conversation = [ChatMessage(role: "user", content: "Hi"), ChatMessage(role: "assistant", content: " Hello! ")]

    @Test func recognisesTheKnownTemplates() throws {
        #expect(try ChatTemplate.recognise(Self.smolLM2Template) == .smolLM2)
        #expect(try ChatTemplate.recognise(Self.qwen25Template) == .qwen25)
        #expect(try ChatTemplate.recognise(Self.llama3Template) == .llama3)
        #expect(try ChatTemplate.recognise("{{'<|im_start|>' + m + '<|im_end|>'}}") == .chatML(defaultSystemMessage: nil))
    }

    @Test func unknownTemplatesNameTheKnownOnes() {
        let mistral = "{{ bos_token }}{% for message in messages %}[INST] {{ message['content'] }} [/INST]{% endfor %}"
        let llama31 = Self.llama3Template + "Cutting Knowledge Date: December 2023"
        for template in [mistral, llama31, "<|im_start|><|im_end|><think>"] {
            let error = #expect(throws: TokenizerError.self) { try ChatTemplate.recognise(template) }
            #expect(error == .unknownChatTemplate(excerpt: String(template.prefix(80)), known: ["chatML", "llama3"]))
        }
    }

    @Test func chatMLInsertsTheDefaultSystemMessageOnlyWhenMissing() {
        let rendered = ChatTemplate.smolLM2.render(conversation, addGenerationPrompt: true)
        #expect(rendered == """
            <|im_start|>system
            You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
            <|im_start|>user
            Hi<|im_end|>
            <|im_start|>assistant
             Hello! <|im_end|>
            <|im_start|>assistant

            """)
        let withSystem = [ChatMessage(role: "system", content: "Be brief.")] + conversation
        #expect(ChatTemplate.qwen25.render(withSystem, addGenerationPrompt: false) == """
            <|im_start|>system
            Be brief.<|im_end|>
            <|im_start|>user
            Hi<|im_end|>
            <|im_start|>assistant
             Hello! <|im_end|>

            """)
        #expect(ChatTemplate.smolLM2.render([], addGenerationPrompt: false) == "")
    }

    @Test func llama3TrimsContentAndStartsWithBOS() {
        let rendered = ChatTemplate.llama3.render(conversation, addGenerationPrompt: true)
        #expect(rendered == "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n")
        let odd = [ChatMessage(role: "user", content: " \n\t x y \u{3000}\u{1F}"), ChatMessage(role: "user", content: " \n ")]
        #expect(ChatTemplate.llama3.render(odd, addGenerationPrompt: false)
            == "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nx y<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\n<|eot_id|>")
    }

    @Test func assistantSpansCoverContentAndEndOfTurn() {
        let turns = conversation + [ChatMessage(role: "user", content: "Again"), ChatMessage(role: "assistant", content: "日本🙂")]
        let chatML = ChatTemplate.smolLM2.renderWithAssistantSpans(turns)
        #expect(chatML.text == ChatTemplate.smolLM2.render(turns, addGenerationPrompt: false))
        #expect(chatML.assistantRanges.map { String(chatML.text[$0]) } == [" Hello! <|im_end|>", "日本🙂<|im_end|>"])
        let llama = ChatTemplate.llama3.renderWithAssistantSpans(turns)
        #expect(llama.assistantRanges.map { String(llama.text[$0]) } == ["Hello!<|eot_id|>", "日本🙂<|eot_id|>"])
        #expect(ChatTemplate.llama3.endOfTurnToken == "<|eot_id|>" && ChatTemplate.smolLM2.endOfTurnToken == "<|im_end|>")
    }

    @Test func assistantMaskFollowsTheSpans() throws {
        let tokenizer = try TestVocabulary.tokenizer(
            extra: ["<|im_start|>", "<|im_end|>"], types: [3, 3], preTokenizer: .gpt2)
        let chat = ChatTemplate.chatML(defaultSystemMessage: nil).renderWithAssistantSpans(
            [ChatMessage(role: "user", content: "q"), ChatMessage(role: "assistant", content: "ok")])
        let encoded = try tokenizer.encode(chat)
        let marked = zip(encoded.ids, encoded.isAssistant).filter(\.1).map(\.0)
        #expect(try tokenizer.decode(marked) == "ok<|im_end|>")
        #expect(encoded.isAssistant.count == encoded.ids.count)
    }
}
