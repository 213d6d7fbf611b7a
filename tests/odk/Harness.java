// Fills a form with JavaRosa (the engine inside ODK Collect) and writes the instance Collect would send.
//
//   java -cp ODK_Validate.jar Harness.java FORM.xml ANSWERS.tsv OUT.xml
//
// ANSWERS.tsv: one "key<TAB>value" a line. A key is the question's path below the root, each
// step with its multiplicity: "family[0]/household_size[0]", "ccwc_members[1]/member_name[0]".
// A repeat gets a row wherever some key names one. Values are as an XForm instance holds them
// (choice names space-separated, dates yyyy-mm-dd, a photo's file name). The form is walked as
// Collect walks it (FormEntryController): non-relevant questions are never shown, read-only and
// calculated ones are left to the engine, and the instance is serialised with relevance
// respected (XFormSerializingVisitor), so non-relevant nodes are left out. Exit 2 when an answer
// is refused (constraint, required) or a key was never asked.
import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeReference;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.xform.util.XFormAnswerDataParser;
import org.javarosa.xform.util.XFormUtils;

public class Harness {
    static String key(TreeReference ref) {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < ref.size(); i++) {
            if (out.length() > 0) out.append('/');
            int mult = ref.getMultiplicity(i);
            out.append(ref.getName(i)).append('[').append(Math.max(mult, 0)).append(']');
        }
        return out.toString();
    }

    public static void main(String[] args) throws Exception {
        FormDef form;
        try (FileInputStream in = new FileInputStream(args[0])) {
            form = XFormUtils.getFormFromInputStream(in);
        }
        Map<String, String> answers = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
            if (line.isEmpty()) continue;
            String[] parts = line.split("\t", 2);
            answers.put(parts[0], parts.length > 1 ? parts[1] : "");
        }
        form.initialize(true, new InstanceInitializationFactory());
        FormEntryController fec = new FormEntryController(new FormEntryModel(form));
        Set<String> used = new HashSet<>();
        int refused = 0;
        for (int event = fec.stepToNextEvent();
                event != FormEntryController.EVENT_END_OF_FORM;
                event = fec.stepToNextEvent()) {
            FormIndex index = fec.getModel().getFormIndex();
            if (event == FormEntryController.EVENT_PROMPT_NEW_REPEAT) {
                String row = key(index.getReference()) + "/";
                if (answers.keySet().stream().anyMatch(k -> k.startsWith(row))) {
                    fec.newRepeat();
                }
                continue;
            }
            if (event != FormEntryController.EVENT_QUESTION) continue;
            FormEntryPrompt prompt = fec.getModel().getQuestionPrompt();
            String k = key(index.getReference());
            if (!answers.containsKey(k) || prompt.isReadOnly()) continue;
            used.add(k);
            IAnswerData data = XFormAnswerDataParser.getAnswerData(
                    answers.get(k), prompt.getDataType(), prompt.getQuestion());
            int status = fec.answerQuestion(index, data, true);
            if (status != FormEntryController.ANSWER_OK) {
                System.err.println("refused (" + status + "): " + k + " = " + answers.get(k));
                refused++;
            }
        }
        for (String k : answers.keySet()) {
            if (!used.contains(k)) {
                System.err.println("never asked: " + k);
                refused++;
            }
        }
        form.postProcessInstance();
        byte[] xml = new XFormSerializingVisitor(true).serializeInstance(form.getInstance());
        Files.write(Path.of(args[2]), xml);
        System.exit(refused == 0 ? 0 : 2);
    }
}
