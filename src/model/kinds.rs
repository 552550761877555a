//! The declarative table of component kinds: every piece of Dataverse component knowledge
//! that diff, merge, normalize and show rely on lives here and nowhere else.
//!
//! Each [`KindDef`] says where the kind lives (`at`: element-name contexts), how its identity
//! key is read ([`KeySpec`]), how it sits in its list ([`ListOrder`]: a set that may be
//! sorted by key, a sequence whose order is meaning, or a singleton), how a user names it
//! ([`Display`]), its solution component type code, and its [`Role`]: a component a user
//! thinks of (listed by `show`; a leaf, a container, or the table that scopes an entity
//! folder) or a keyed part of one (an option, a form cell, a localized label).
//! Facts come from `solution-format.md` §2–§3 (section numbers in the comments).
//!
//! Contexts: `"A/B"` matches an element `B` whose parent is `A`; a leading `/` anchors at the
//! document root (`"/Entity"` is the root of a SolutionPackager `Entity.xml`); `*` matches
//! any element name.

/// How an element's identity key is read. Field names are looked up as an attribute first,
/// then as the text of a child element.
#[derive(Debug, Clone, Copy)]
pub enum KeySpec {
    /// All fields, joined with `|` (composite keys such as an entity map's source/target).
    Fields(&'static [&'static str]),
    /// The first field present.
    AnyOf(&'static [&'static str]),
    /// The element's own text (`Languages/Language`).
    Text,
    /// The element name (fields of record-style components, §3.6).
    ElementName,
    /// One per parent; the key is empty.
    Singleton,
    /// `type` plus `id` when present, else `schemaName` (§2.3).
    RootComponent,
    /// The Required and Dependent tuples (§2.4).
    MissingDependency,
    /// A FetchXML filter condition: `[entityname.]attribute operator`, and its value(s)
    /// after those only where another condition of the same filter shares the column and
    /// operator (`statuscode in 1,2`). Keyed so, a value changed by both sides differently
    /// is a conflict, not two conditions neither side wrote, while two conditions that test
    /// one column (an `or` of values) are still told apart.
    FetchCondition,
    /// A FetchXML filter: its `type` (`and` when absent), and `quick find` for the filter
    /// whose conditions are the quick find columns. Its content is not its key: both sides
    /// adding conditions to one nested filter must meet in that filter.
    FetchFilter,
}

/// How a user names a component. Probes are tried in order; the first hit wins.
#[derive(Debug, Clone, Copy)]
pub enum Display {
    /// An attribute, or the text of a child element.
    Field(&'static str),
    /// An attribute of a child element (`Name/@LocalizedName`).
    ChildAttr(&'static str, &'static str),
    /// A localized label collection: `container/item/@attr`, base language (1033) first.
    Label(&'static str, &'static str, &'static str),
}

/// How an item sits among its siblings of the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrder {
    /// Order carries no meaning: matched by key, sorted by `normalize` (§3.3 "Sets").
    Set,
    /// Order is meaning (form layout, options, sitemap, libraries, handlers, view columns):
    /// matched by key but never reordered (§3.3 "Order-significant").
    Sequence,
    /// At most one per parent.
    Single,
}

/// What an item of a kind is to a user, and how the walks over a tree treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A keyed part of a component (an option, a form cell): not listed on its own.
    Part,
    /// A localized label, keyed by language code: a part whose removal or addition is a
    /// translation, not an edit (a deletion wins over new translations), and which never
    /// identifies the element that holds it.
    Localized,
    /// A component that never holds another component: the inventory walk does not
    /// descend into it (columns, forms and views are most of a large file).
    Leaf,
    /// A component that may hold other components (the solution manifest, an assembly).
    Container,
    /// The table: a container whose path also scopes a SolutionPackager entity folder
    /// (`Entities/account/FormXml/…` lives under `entity:account`).
    Scope,
}

impl Role {
    /// Listed by `show` and named in paths, as opposed to a part of a component.
    pub fn is_component(self) -> bool {
        matches!(self, Role::Leaf | Role::Container | Role::Scope)
    }
}

/// One component kind.
#[derive(Debug)]
pub struct KindDef {
    /// Short machine name used in paths and JSON (`entity`, `attribute`, `form`).
    pub name: &'static str,
    /// Human name used in text output.
    pub title: &'static str,
    pub at: &'static [&'static str],
    pub key: KeySpec,
    pub order: ListOrder,
    pub display: &'static [Display],
    /// Solution component type code (§4), where one exists.
    pub code: Option<u32>,
    pub role: Role,
}

use Display::{ChildAttr, Field, Label};
use KeySpec::*;
use ListOrder::*;
use Role::{Container, Leaf, Localized, Part, Scope};

const LOCALIZED_NAMES: Display = Label("LocalizedNames", "LocalizedName", "description");
const DISPLAY_NAMES: Display = Label("displaynames", "displayname", "description");
const LABELS: Display = Label("labels", "label", "description");

macro_rules! kind {
    ($name:literal, $title:literal, [$($at:literal),+ $(,)?], $key:expr, $order:expr, [$($d:expr),* $(,)?], $code:expr, $role:ident) => {
        KindDef {
            name: $name,
            title: $title,
            at: &[$($at),+],
            key: $key,
            order: $order,
            display: &[$($d),*],
            code: $code,
            role: $role,
        }
    };
}

/// The table. Order matters only for readability; lookups go through an index by element name.
/// Columns: name, title, contexts, identity key, list order, display-name probes, component
/// type code, role. One row a kind, so it reads as a table.
#[rustfmt::skip]
pub static KINDS: &[KindDef] = &[
    // ---- solution.xml manifest (§2) ----
    kind!("solution", "Solution", ["ImportExportXml/SolutionManifest"], Fields(&["UniqueName"]), Single, [LOCALIZED_NAMES, Field("UniqueName")], None, Container),
    kind!("publisher", "Publisher", ["SolutionManifest/Publisher", "/Publisher"], Fields(&["UniqueName"]), Single, [LOCALIZED_NAMES, Field("UniqueName")], None, Container),
    kind!("address", "Publisher address", ["Addresses/Address"], Fields(&["AddressNumber"]), Set, [], None, Part),
    kind!("rootcomponent", "Root component", ["RootComponents/RootComponent"], RootComponent, Set, [Field("schemaName"), Field("id")], None, Part),
    kind!("missingdependency", "Missing dependency", ["MissingDependencies/MissingDependency"], MissingDependency, Set, [], None, Part),
    // The YAML layout keeps the manifest's lists in files of their own (yaml-format.md).
    kind!("rootcomponents", "Root components", ["/RootComponents"], Singleton, Single, [], None, Leaf),
    kind!("missingdependencies", "Missing dependencies", ["/MissingDependencies"], Singleton, Single, [], None, Leaf),
    kind!("solutioncomponents", "Component folders", ["/SolutionComponents"], Singleton, Single, [], None, Leaf),
    kind!("componentfolder", "Component folder", ["SolutionComponents/Component"], Fields(&["path"]), Set, [Field("path")], None, Part),
    // ---- localized labels: keyed by language code, always a set (§3.4) ----
    kind!("label", "Label", ["LocalizedNames/LocalizedName", "Descriptions/Description", "LocalizedCollectionNames/LocalizedCollectionName", "displaynames/displayname", "labels/label", "CustomLabels/CustomLabel", "Titles/Title", "displayname/label", "description/label", "buttonlabeltext/label", "DisplayNames/DisplayName", "Labels/Label"], AnyOf(&["languagecode", "LCID"]), Set, [Field("description"), Field("Title")], Some(7), Localized),
    // ---- customizations.xml: entities and their parts (§3.2) ----
    kind!("entity", "Table", ["Entities/Entity", "/Entity"], Fields(&["Name"]), Set, [ChildAttr("Name", "LocalizedName"), Field("Name")], Some(1), Scope),
    kind!("attribute", "Column", ["attributes/attribute", "/attribute"], AnyOf(&["PhysicalName", "LogicalName", "Name"]), Set, [DISPLAY_NAMES, Field("PhysicalName")], Some(2), Leaf),
    kind!("option", "Option", ["options/option"], Fields(&["value"]), Sequence, [LABELS], Some(4), Part),
    kind!("state", "State", ["states/state"], Fields(&["value"]), Sequence, [LABELS, Field("invariantname")], None, Part),
    kind!("status", "Status", ["statuses/status"], Fields(&["value"]), Sequence, [LABELS], None, Part),
    kind!("entitykey", "Alternate key", ["EntityKeys/EntityKey", "/EntityKey"], AnyOf(&["LogicalName", "Name"]), Set, [DISPLAY_NAMES, Field("Name")], Some(14), Leaf),
    kind!("keyattribute", "Key column", ["EntityKeyAttributes/AttributeName"], Text, Sequence, [], None, Part),
    // The tables a lookup column may point to, by type code: a set.
    kind!("lookuptype", "Lookup target", ["LookupTypes/LookupType"], Text, Set, [], None, Part),
    kind!("formset", "Forms of a type", ["FormXml/forms"], Fields(&["type"]), Set, [Field("type")], None, Part),
    kind!("form", "Form", ["forms/systemform", "/forms/systemform", "/systemform"], Fields(&["formid"]), Set, [LOCALIZED_NAMES, Field("formid")], Some(60), Leaf),
    kind!("view", "View", ["savedqueries/savedquery", "/savedqueries/savedquery", "/savedquery"], Fields(&["savedqueryid"]), Set, [LOCALIZED_NAMES, Field("savedqueryid")], Some(26), Leaf),
    kind!("chart", "Chart", ["Visualizations/visualization", "/visualization"], Fields(&["savedqueryvisualizationid"]), Set, [LOCALIZED_NAMES, Field("name")], Some(59), Leaf),
    kind!("ribbon", "Ribbon", ["Entity/RibbonDiffXml", "ImportExportXml/RibbonDiffXml", "/RibbonDiffXml"], Singleton, Single, [], Some(55), Leaf),
    kind!("hierarchyrule", "Hierarchy rule", ["HierarchyRules/HierarchyRule"], Fields(&["HierarchyRuleID"]), Set, [Field("Name")], Some(65), Leaf),
    kind!("index", "Index", ["indexes/index"], Fields(&["Name"]), Set, [Field("Name")], Some(18), Part),
    // ---- form internals (§3.2.1): layout is a sequence ----
    kind!("tab", "Tab", ["tabs/tab"], AnyOf(&["id", "name"]), Sequence, [LABELS, Field("name")], None, Part),
    kind!("section", "Section", ["sections/section"], AnyOf(&["id", "name"]), Sequence, [LABELS, Field("name")], None, Part),
    kind!("cell", "Cell", ["row/cell"], AnyOf(&["id", "name"]), Sequence, [LABELS, Field("name")], None, Part),
    kind!("control", "Control", ["cell/control"], AnyOf(&["id", "uniqueid"]), Single, [Field("datafieldname"), Field("id")], None, Part),
    kind!("hiddencontrol", "Hidden control", ["hiddencontrols/data"], Fields(&["id"]), Set, [Field("datafieldname")], None, Part),
    kind!("displayconditionrole", "Form role", ["DisplayConditions/Role"], Fields(&["Id"]), Set, [], None, Part),
    kind!("library", "Form library", ["formLibraries/Library"], Fields(&["name"]), Sequence, [Field("name")], None, Part),
    kind!("scriptinclude", "Internal script", ["clientincludes/internaljscriptfile"], Fields(&["src"]), Sequence, [Field("src")], None, Part),
    kind!("event", "Form event", ["events/event"], Fields(&["name", "attribute", "control"]), Sequence, [Field("name")], None, Part),
    kind!("handler", "Event handler", ["Handlers/Handler", "InternalHandlers/Handler"], Fields(&["libraryName", "functionName"]), Sequence, [Field("functionName")], None, Part),
    kind!("handlerdependency", "Handler dependency", ["Handler/dependencies/dependency"], Fields(&["id"]), Set, [Field("id")], None, Part),
    kind!("navitem", "Navigation item", ["NavBar/NavBarByRelationshipItem", "NavBar/NavBarItem"], AnyOf(&["Id", "RelationshipName"]), Sequence, [Field("Id")], None, Part),
    kind!("navarea", "Navigation area", ["NavBarAreas/NavBarArea"], Fields(&["Id"]), Sequence, [Label("Titles", "Title", "Text"), Field("Id")], None, Part),
    kind!("controldescription", "Control description", ["controlDescriptions/controlDescription"], Fields(&["forControl"]), Sequence, [Field("forControl")], None, Part),
    kind!("customcontrol-binding", "Custom control", ["controlDescription/customControl"], Fields(&["formFactor", "name"]), Sequence, [Field("name")], None, Part),
    // ---- view internals (§3.2.2) ----
    kind!("fetchattribute", "Fetch column", ["entity/attribute", "link-entity/attribute"], Fields(&["name"]), Set, [Field("name")], None, Part),
    // Sort orders are a sequence: the first is the primary sort. An aggregate query sorts by
    // an alias instead of a column.
    kind!("fetchorder", "Sort order", ["entity/order", "link-entity/order"], AnyOf(&["attribute", "alias"]), Sequence, [Field("attribute"), Field("alias")], None, Part),
    kind!("linkentity", "Linked table", ["entity/link-entity", "link-entity/link-entity"], AnyOf(&["alias", "name"]), Sequence, [Field("name")], None, Part),
    // A filter's conditions are a set: its `type` (and/or) does not depend on their order.
    // Nested filters keep their place (a second nested filter of the same type is told
    // apart by position, as before keys); the values of an `in` condition are a set.
    kind!("fetchfilter", "Filter", ["entity/filter", "link-entity/filter", "filter/filter"], FetchFilter, Sequence, [], None, Part),
    kind!("fetchcondition", "Condition", ["filter/condition"], FetchCondition, Set, [], None, Part),
    kind!("fetchvalue", "Condition value", ["condition/value"], Text, Set, [], None, Part),
    // ---- ribbon customizations (RibbonDiffXml): definitions are sets keyed by Id, which
    // exports sort; a command's references to its rules keep their order (the order the
    // rules are evaluated in) ----
    kind!("customaction", "Custom action", ["CustomActions/CustomAction"], Fields(&["Id"]), Set, [Field("Id")], None, Part),
    kind!("hidecustomaction", "Hidden action", ["CustomActions/HideCustomAction"], Fields(&["HideActionId"]), Set, [Field("Location"), Field("HideActionId")], None, Part),
    kind!("ribboncommand", "Command", ["CommandDefinitions/CommandDefinition"], Fields(&["Id"]), Set, [Field("Id")], Some(48), Part),
    kind!("commandenablerule", "Enable rule (of a command)", ["CommandDefinition/EnableRules/EnableRule"], Fields(&["Id"]), Sequence, [Field("Id")], None, Part),
    kind!("commanddisplayrule", "Display rule (of a command)", ["CommandDefinition/DisplayRules/DisplayRule"], Fields(&["Id"]), Sequence, [Field("Id")], None, Part),
    kind!("tabdisplayrule", "Tab display rule", ["RuleDefinitions/TabDisplayRules/TabDisplayRule"], Fields(&["TabCommand"]), Set, [Field("TabCommand")], Some(52), Part),
    kind!("displayrule", "Display rule", ["RuleDefinitions/DisplayRules/DisplayRule"], Fields(&["Id"]), Set, [Field("Id")], Some(52), Part),
    kind!("enablerule", "Enable rule", ["RuleDefinitions/EnableRules/EnableRule"], Fields(&["Id"]), Set, [Field("Id")], Some(52), Part),
    kind!("loclabel", "Ribbon label", ["LocLabels/LocLabel"], Fields(&["Id"]), Set, [Label("Titles", "Title", "description"), Field("Id")], None, Part),
    // ---- security (§3.2) ----
    kind!("role", "Security role", ["Roles/Role", "/Role"], Fields(&["id"]), Set, [Field("name")], Some(20), Leaf),
    kind!("privilege", "Privilege", ["RolePrivileges/RolePrivilege"], Fields(&["name"]), Set, [Field("name")], Some(21), Part),
    kind!("fieldsecurityprofile", "Field security profile", ["FieldSecurityProfiles/FieldSecurityProfile"], Fields(&["fieldsecurityprofileid"]), Set, [Field("name")], Some(70), Leaf),
    kind!("fieldpermission", "Field permission", ["FieldPermissions/FieldPermission"], Fields(&["EntityName", "AttributeName"]), Set, [Field("AttributeName")], Some(71), Part),
    // ---- processes ----
    kind!("workflow", "Process", ["Workflows/Workflow", "/Workflow"], Fields(&["WorkflowId"]), Set, [Field("Name")], Some(29), Leaf),
    kind!("steplabel", "Step label", ["labels/steplabels"], Fields(&["id"]), Set, [], None, Part),
    kind!("processtrigger", "Process trigger", ["ProcessTriggers/ProcessTrigger"], Fields(&["processtriggerid"]), Set, [], None, Part),
    // ---- templates, maps, relationships, option sets, reports ----
    kind!("emailtemplate", "Email template", ["EmailTemplates/emailtemplate", "/EmailTemplates/emailtemplate"], Fields(&["templateid"]), Set, [Field("title")], Some(36), Leaf),
    kind!("kbarticletemplate", "Article template", ["KBArticleTemplates/kbarticletemplate"], Fields(&["kbarticletemplateid"]), Set, [Field("title")], Some(38), Leaf),
    kind!("contracttemplate", "Contract template", ["ContractTemplates/contracttemplate"], Fields(&["contracttemplateid"]), Set, [Field("name")], Some(37), Leaf),
    kind!("mailmergetemplate", "Mail merge template", ["MailMergeTemplates/mailmergetemplate"], Fields(&["mailmergetemplateid"]), Set, [Field("name")], Some(39), Leaf),
    kind!("entitymap", "Table map", ["EntityMaps/EntityMap"], Fields(&["EntitySource", "EntityTarget"]), Set, [], Some(46), Leaf),
    kind!("attributemap", "Column map", ["AttributeMaps/AttributeMap"], Fields(&["AttributeSource", "AttributeTarget"]), Set, [], Some(47), Part),
    kind!("relationship", "Relationship", ["EntityRelationships/EntityRelationship", "/EntityRelationship"], Fields(&["Name"]), Set, [Field("Name")], Some(10), Leaf),
    kind!("relationshiprole", "Relationship role (legacy)", ["RelationshipRoles/RelationshipRole"], Fields(&["relationshiproleid"]), Set, [Field("name")], Some(11), Leaf),
    kind!("connectionrole", "Connection role", ["ConnectionRoles/ConnectionRole"], Fields(&["connectionroleid"]), Set, [Field("name")], Some(63), Leaf),
    kind!("connectionroleassociation", "Connection role association", ["ConnectionRoleAssociations/ConnectionRoleAssociation"], Fields(&["connectionroleid", "associatedconnectionroleid"]), Set, [], None, Leaf),
    kind!("optionset", "Choice (global option set)", ["optionsets/optionset", "/optionset"], Fields(&["Name"]), Set, [Field("localizedName"), DISPLAY_NAMES, Field("Name")], Some(9), Leaf),
    kind!("report", "Report", ["Reports/Report"], Fields(&["reportid"]), Set, [Field("name")], Some(31), Leaf),
    kind!("sitemap-legacy", "Site map (legacy)", ["ImportExportXml/SiteMap", "/SiteMap"], Singleton, Single, [], Some(62), Leaf),
    kind!("dashboard", "Dashboard", ["Dashboards/Dashboard", "/Dashboard"], Fields(&["FormId"]), Set, [LOCALIZED_NAMES], Some(60), Leaf),
    kind!("interactivedashboard", "Interactive dashboard", ["InteractionCentricDashboards/InteractionCentricDashboard"], Fields(&["FormId"]), Set, [LOCALIZED_NAMES], Some(60), Leaf),
    kind!("dialog", "Dialog", ["Dialogs/Dialog", "/Dialog"], AnyOf(&["FormId", "UniqueName"]), Set, [LOCALIZED_NAMES, Field("UniqueName")], Some(60), Leaf),
    kind!("webresource", "Web resource", ["WebResources/WebResource", "/WebResource"], AnyOf(&["Name", "WebResourceId"]), Set, [Field("DisplayName"), Field("Name")], Some(61), Leaf),
    kind!("customcontrol", "Custom control (PCF)", ["CustomControls/CustomControl", "/CustomControl"], Fields(&["Name"]), Set, [Field("Name")], Some(66), Leaf),
    // ---- code ----
    kind!("pluginassembly", "Plug-in assembly", ["SolutionPluginAssemblies/PluginAssembly", "/PluginAssembly"], Fields(&["PluginAssemblyId"]), Set, [Field("FullName")], Some(91), Container),
    kind!("plugintype", "Plug-in type", ["PluginTypes/PluginType"], AnyOf(&["PluginTypeId", "Name"]), Set, [Field("Name")], Some(90), Leaf),
    kind!("step", "Plug-in step", ["SdkMessageProcessingSteps/SdkMessageProcessingStep", "/SdkMessageProcessingStep"], Fields(&["SdkMessageProcessingStepId"]), Set, [Field("Name")], Some(92), Leaf),
    kind!("stepimage", "Plug-in step image", ["SdkMessageProcessingStepImages/SdkMessageProcessingStepImage"], Fields(&["SdkMessageProcessingStepImageId"]), Set, [Field("Name")], Some(93), Part),
    kind!("serviceendpoint", "Service endpoint", ["ServiceEndpoints/ServiceEndpoint"], Fields(&["ServiceEndpointId"]), Set, [Field("Name")], Some(95), Leaf),
    // ---- apps and navigation ----
    kind!("sitemap", "Site map", ["AppModuleSiteMaps/AppModuleSiteMap", "/AppModuleSiteMap"], Fields(&["SiteMapUniqueName"]), Set, [LOCALIZED_NAMES, Field("SiteMapUniqueName")], Some(62), Leaf),
    kind!("area", "Site map area", ["SiteMap/Area"], Fields(&["Id"]), Sequence, [Label("Titles", "Title", "Title"), Field("Id")], None, Part),
    kind!("group", "Site map group", ["Area/Group"], Fields(&["Id"]), Sequence, [Label("Titles", "Title", "Title"), Field("Id")], None, Part),
    kind!("subarea", "Site map subarea", ["Group/SubArea"], Fields(&["Id"]), Sequence, [Label("Titles", "Title", "Title"), Field("Entity"), Field("Id")], None, Part),
    kind!("subareaprivilege", "Required privilege", ["SubArea/Privilege"], Fields(&["Entity"]), Set, [Field("Privilege")], None, Part),
    kind!("app", "Model-driven app", ["AppModules/AppModule", "/AppModule"], Fields(&["UniqueName"]), Set, [LOCALIZED_NAMES, Field("UniqueName")], Some(80), Leaf),
    kind!("appcomponent", "App component", ["AppModuleComponents/AppModuleComponent"], Fields(&["type", "schemaName", "id"]), Set, [Field("schemaName"), Field("id")], None, Part),
    kind!("approle", "App role", ["AppModuleRoleMaps/Role"], Fields(&["id"]), Set, [], None, Part),
    kind!("appelement", "App element", ["appelements/appelement"], Fields(&["uniquename"]), Set, [Field("name"), Field("uniquename")], None, Part),
    kind!("appsetting", "App setting", ["appsettings/appsetting"], AnyOf(&["settingdefinitionid.uniquename", "uniquename"]), Set, [], None, Part),
    kind!("canvasapp", "Canvas app", ["CanvasApps/CanvasApp", "/CanvasApp"], Fields(&["Name"]), Set, [Field("DisplayName"), Field("Name")], Some(300), Leaf),
    kind!("entitydataprovider", "Data provider", ["EntityDataProviders/EntityDataProvider"], AnyOf(&["EntityDataProviderId", "Name"]), Set, [Field("Name")], None, Container),
    kind!("entitydatasource", "Data source", ["EntityDataSources/EntityDataSource", "/EntityDataSource"], AnyOf(&["EntityDataSourceId", "Name"]), Set, [Field("Name")], Some(183), Container),
    kind!("connector", "Custom connector", ["Connectors/Connector", "/Connector"], AnyOf(&["name", "connectorid"]), Set, [Field("displayname"), Field("name")], Some(372), Leaf),
    kind!("aimodel", "AI model", ["AIModels/AIModel"], Fields(&["msdyn_aimodelid"]), Set, [Field("msdyn_name")], Some(401), Leaf),
    kind!("aiconfiguration", "AI configuration", ["AIConfigurations/AIConfiguration"], Fields(&["msdyn_aiconfigurationid"]), Set, [Field("msdyn_name")], Some(402), Part),
    kind!("entityimageconfig", "Table image configuration", ["EntityImageConfigs/EntityImageConfig"], Fields(&["parententitylogicalname"]), Set, [], Some(432), Container),
    kind!("attributeimageconfig", "Column image configuration", ["AttributeImageConfigs/AttributeImageConfig"], Fields(&["parententitylogicalname", "attributelogicalname"]), Set, [], Some(431), Container),
    kind!("contenttype-default", "Content type (by extension)", ["/Types/Default"], Fields(&["Extension"]), Set, [], None, Part),
    kind!("contenttype-override", "Content type (by part)", ["/Types/Override"], Fields(&["PartName"]), Set, [], None, Part),
    kind!("languagecode", "Language", ["Languages/Language"], Text, Set, [], None, Part),
    kind!("orgsettings", "Organization settings", ["ImportExportXml/OrganizationSettings"], Singleton, Single, [], Some(25), Container),
    // ---- record-style components (§3.6): root = table name, children alphabetical ----
    kind!("connectionreference", "Connection reference", ["connectionreferences/connectionreference", "/connectionreference"], Fields(&["connectionreferencelogicalname"]), Set, [Field("connectionreferencedisplayname")], None, Leaf),
    kind!("dataflow", "Dataflow", ["msdyn_dataflows/msdyn_dataflow", "/msdyn_dataflow"], Fields(&["msdyn_dataflowid"]), Set, [Field("msdyn_name")], None, Leaf),
    kind!("appactionrule-link", "Command rule link", ["appaction_appactionrule_classicrulesset/appaction_appactionrule_classicrules"], Fields(&["appactionid.uniquename", "appactionruleid.uniquename"]), Set, [], None, Part),
    kind!("environmentvariable", "Environment variable", ["/environmentvariabledefinition", "environmentvariabledefinitions/environmentvariabledefinition"], Fields(&["schemaname"]), Set, [ChildAttr("displayname", "default"), Field("schemaname")], Some(380), Leaf),
    kind!("customapi", "Custom API", ["/customapi", "customapis/customapi"], Fields(&["uniquename"]), Set, [ChildAttr("displayname", "default"), Field("uniquename")], None, Container),
    kind!("customapirequestparameter", "Custom API request parameter", ["/customapirequestparameter"], Fields(&["uniquename"]), Set, [ChildAttr("displayname", "default")], None, Container),
    kind!("customapiresponseproperty", "Custom API response property", ["/customapiresponseproperty"], Fields(&["uniquename"]), Set, [ChildAttr("displayname", "default")], None, Container),
    kind!("bot", "Copilot (bot)", ["/bot"], Fields(&["schemaname"]), Set, [Field("name")], None, Container),
    kind!("botcomponent", "Copilot component", ["/botcomponent"], Fields(&["schemaname"]), Set, [Field("name")], None, Container),
    kind!("appaction", "Command (app action)", ["/appaction"], Fields(&["uniquename"]), Set, [ChildAttr("buttonlabeltext", "default"), Field("name")], None, Container),
    kind!("aiplugin", "AI plug-in", ["/aiplugin"], AnyOf(&["name", "aipluginid"]), Set, [Field("humanname")], None, Container),
    kind!("aiskillconfig", "AI skill configuration", ["/aiskillconfig"], Fields(&["uniquename"]), Set, [Field("uniquename")], None, Container),
    kind!("pluginpackage", "Plug-in package", ["/pluginpackage"], Fields(&["uniquename"]), Set, [Field("name")], None, Container),
    kind!("schedule", "Schedule", ["/msdyn_schedule"], Fields(&["msdyn_scheduleid"]), Set, [Field("msdyn_name")], None, Container),
    kind!("record-field", "Field", ["connectionreference/*", "environmentvariabledefinition/*", "customapi/*", "customapirequestparameter/*", "customapiresponseproperty/*", "bot/*", "botcomponent/*", "appaction/*", "pluginpackage/*", "msdyn_dataflow/*"], ElementName, Set, [], None, Part),
];

/// Keyed parts that real exports repeat under one key, which Dataverse imports as they are:
/// a fetch column listed twice in a view (aggregate queries list one column under several
/// aliases; plain views repeat `createdon`), and a form control's custom control listed once
/// per form factor without saying which, and a FetchXML filter holding two nested filters of
/// one type (an `or` of two `and` groups). `check` does not call these duplicates.
pub static REPEATS_ALLOWED: &[&str] = &["fetchattribute", "customcontrol-binding", "fetchfilter"];

/// Parts identified across their whole component, not only among their siblings: the form
/// designer drags a field (its cell) to another section or tab and a section to another tab,
/// keeping their ids; site map areas, groups and subareas move the same way. Per component
/// kind, the kinds of its parts that move.
pub static MOVABLE_PARTS: &[(&str, &[&str])] = &[
    ("form", &["tab", "section", "cell"]),
    ("sitemap", &["area", "group", "subarea"]),
    ("sitemap-legacy", &["area", "group", "subarea"]),
];

/// Keyless elements that move with a part when it is all they hold: the form designer puts
/// a dragged field in a row of its own.
pub static MOVE_WRAPPERS: &[(&str, &str)] = &[("cell", "row")];

/// Roots of SolutionPackager files that hold a list of components rather than one
/// component (`FormXml/main/….xml` is `<forms>`, `SavedQueries/….xml` is `<savedqueries>`),
/// besides the `ImportExportXml` root of customizations.xml and solution.xml. Together with
/// the kinds anchored at a document root they are the files a structured merge understands.
pub static CONTAINER_ROOTS: &[&str] = &[
    "ImportExportXml",
    "forms",
    "savedqueries",
    "EntityRelationships",
    "EntityMaps",
    "FieldSecurityProfiles",
    "ConnectionRoles",
    "ServiceEndpoints",
    "EmailTemplates",
    "RibbonDiffXml",
    "Types",
    "Visualizations",
];

/// The solution component type codes (`RootComponent/@type`, `MissingDependency/*/@type`,
/// `solutioncomponent.componenttype`; §4), named as a maker knows them. Codes the kinds table
/// gives a kind to are named by that kind's title first ([`type_title`]).
#[rustfmt::skip]
pub static COMPONENT_TYPES: &[(u32, &str)] = &[
    (1, "Table"), (2, "Column"), (3, "Relationship"), (4, "Choice value"), (5, "Lookup value"),
    (6, "View column"), (7, "Localized label"), (8, "Relationship extra condition"),
    (9, "Choice (global option set)"), (10, "Relationship"), (11, "Relationship role"),
    (12, "Relationship relationships"), (13, "Managed property"), (14, "Alternate key"),
    (16, "Privilege"), (17, "Privilege object type code"), (18, "Index"), (20, "Security role"),
    (21, "Role privilege"), (22, "Display string"), (23, "Display string map"), (24, "Form"),
    (25, "Organization"), (26, "View"), (29, "Process"), (31, "Report"), (32, "Report table"),
    (33, "Report category"), (34, "Report visibility"), (35, "Attachment"),
    (36, "Email template"), (37, "Contract template"), (38, "Article template"),
    (39, "Mail merge template"), (44, "Duplicate detection rule"),
    (45, "Duplicate detection rule condition"), (46, "Table map"), (47, "Column map"),
    (48, "Ribbon command"), (49, "Ribbon context group"), (50, "Ribbon customization"),
    (52, "Ribbon rule"), (53, "Ribbon tab-to-command map"), (55, "Ribbon"), (59, "Chart"),
    (60, "Form"), (61, "Web resource"), (62, "Site map"), (63, "Connection role"),
    (64, "Complex control"), (65, "Hierarchy rule"), (66, "Custom control (PCF)"),
    (68, "Custom control default configuration"), (70, "Field security profile"),
    (71, "Field permission"), (80, "Model-driven app"), (90, "Plug-in type"),
    (91, "Plug-in assembly"), (92, "Plug-in step"), (93, "Plug-in step image"),
    (95, "Service endpoint"), (150, "Routing rule"), (151, "Routing rule item"),
    (152, "SLA"), (153, "SLA item"), (154, "Convert rule"), (155, "Convert rule item"),
    (161, "Mobile offline profile"), (162, "Mobile offline profile item"),
    (165, "Similarity rule"), (166, "Data source mapping"), (181, "Virtual table data provider"),
    (183, "Virtual table data source"), (201, "SDK message"), (202, "SDK message filter"),
    (203, "SDK message pair"), (204, "SDK message request"), (205, "SDK message request field"),
    (206, "SDK message response"), (207, "SDK message response field"), (208, "Import map"),
    (210, "Web wizard"), (300, "Canvas app"), (371, "Connector"), (372, "Custom connector"),
    (380, "Environment variable"), (381, "Environment variable value"),
    (400, "AI project type"), (401, "AI model"), (402, "AI configuration"),
    (430, "Table analytics configuration"), (431, "Column image configuration"),
    (432, "Table image configuration"),
];

/// The name of a solution component type code: the title of the kind the table gives it,
/// else its name in [`COMPONENT_TYPES`].
pub fn type_title(code: u32) -> Option<&'static str> {
    KINDS
        .iter()
        .find(|k| k.code == Some(code) && k.role.is_component())
        .map(|k| k.title)
        .or_else(|| {
            COMPONENT_TYPES
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, t)| *t)
        })
}

/// Solution-aware tables have no fixed type code: exports name them by table (§2.4,
/// `type="connectionreference"`). Their titles, by that name.
#[rustfmt::skip]
pub static TABLE_TYPES: &[(&str, &str)] = &[
    ("connectionreference", "Connection reference"), ("environmentvariabledefinition", "Environment variable"),
    ("environmentvariablevalue", "Environment variable value"), ("customapi", "Custom API"),
    ("appaction", "Command (app action)"), ("appactionrule", "Command rule"),
    ("appaction_appactionrule_classicrules", "Command rule link"), ("settingdefinition", "Setting definition"),
    ("appsetting", "App setting"), ("botcomponentcollection", "Copilot component collection"),
    ("bot_botcomponentcollection", "Copilot component collection link"), ("bot", "Copilot (bot)"),
    ("botcomponent", "Copilot component"), ("pluginpackage", "Plug-in package"),
    ("aiplugin", "AI plug-in"), ("msdyn_dataflow", "Dataflow"),
];

/// The name of a type as exports write it: a code (`"61"`) or a table name
/// (`"connectionreference"`).
pub fn type_name(raw: &str) -> Option<&'static str> {
    let raw = raw.trim();
    match raw.parse::<u32>() {
        Ok(code) => type_title(code),
        Err(_) => TABLE_TYPES
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(raw))
            .map(|(_, title)| *title),
    }
}

/// Processes are one component kind (`Workflow`, type 29) in many categories, each a
/// different thing to a maker: named by `Workflow/Category`.
#[rustfmt::skip]
pub static PROCESS_CATEGORIES: &[(&str, &str)] = &[
    ("0", "Classic workflow"), ("1", "Dialog"), ("2", "Business rule"), ("3", "Action"),
    ("4", "Business process flow"), ("5", "Cloud flow"), ("6", "Desktop flow"), ("7", "AI flow"),
];

/// The title of a process of `category` (`Workflow/Category`).
pub fn process_title(category: &str) -> Option<&'static str> {
    PROCESS_CATEGORIES
        .iter()
        .find(|(c, _)| *c == category.trim())
        .map(|(_, t)| *t)
}

/// Coded values of one field and what they mean.
pub type Meanings = &'static [(&'static str, &'static str)];

/// What coded values mean: `(kind, field, [(value, meaning)])`. A report shows the meaning.
#[rustfmt::skip]
pub static VALUE_NAMES: &[(&str, &str, Meanings)] = &[
    ("rootcomponent", "behavior", &[("0", "include subcomponents"), ("1", "do not include subcomponents"), ("2", "include as shell only")]),
    ("solution", "Managed", &[("0", "unmanaged"), ("1", "managed"), ("2", "managed and unmanaged")]),
    ("workflow", "Category", PROCESS_CATEGORIES),
    ("workflow", "Mode", &[("0", "background"), ("1", "real-time")]),
    ("workflow", "StateCode", &[("0", "draft"), ("1", "activated"), ("2", "suspended")]),
    ("workflow", "Scope", &[("1", "user"), ("2", "business unit"), ("3", "parent: child business units"), ("4", "organization")]),
    ("step", "Stage", &[("10", "pre-validation"), ("20", "pre-operation"), ("30", "main operation"), ("40", "post-operation"), ("50", "post-operation (deprecated)")]),
    ("step", "Mode", &[("0", "synchronous"), ("1", "asynchronous")]),
    ("step", "SupportedDeployment", &[("0", "server"), ("1", "client"), ("2", "server and client")]),
    ("step", "InvocationSource", &[("0", "parent"), ("1", "child")]),
    ("environmentvariable", "type", &[("100000000", "text"), ("100000001", "number"), ("100000002", "yes/no"), ("100000003", "JSON"), ("100000004", "data source"), ("100000005", "secret")]),
    ("webresource", "WebResourceType", &[("1", "HTML"), ("2", "CSS"), ("3", "JavaScript"), ("4", "XML"), ("5", "PNG"), ("6", "JPG"), ("7", "GIF"), ("8", "Silverlight (XAP)"), ("9", "XSL"), ("10", "ICO"), ("11", "SVG"), ("12", "RESX")]),
    ("attribute", "RequiredLevel", &[("none", "optional"), ("recommended", "recommended"), ("required", "business required"), ("applicationrequired", "business required"), ("systemrequired", "system required")]),
    ("attribute", "Type", &[("nvarchar", "text"), ("ntext", "multiline text"), ("memo", "multiline text"), ("int", "whole number"), ("bigint", "big integer"), ("decimal", "decimal number"), ("float", "floating point number"), ("money", "currency"), ("bit", "yes/no"), ("picklist", "choice"), ("multiselectpicklist", "choices"), ("state", "status"), ("status", "status reason"), ("datetime", "date and time"), ("lookup", "lookup"), ("customer", "customer"), ("owner", "owner"), ("primarykey", "unique identifier (primary key)"), ("uniqueidentifier", "unique identifier"), ("image", "image"), ("file", "file"), ("virtual", "virtual")]),
    ("relationship", "EntityRelationshipType", &[("OneToMany", "one-to-many"), ("ManyToMany", "many-to-many")]),
    ("pluginassembly", "IsolationMode", &[("1", "none"), ("2", "sandbox")]),
    ("pluginassembly", "SourceType", &[("0", "database"), ("1", "disk"), ("2", "normal"), ("3", "Azure"), ("4", "file store")]),
    ("connectionreference", "promptingbehavior", &[("0", "prompt"), ("1", "do not prompt")]),
];

/// The meaning of `value` of `field` of a `kind`, where the table knows it.
pub fn value_name(kind: &str, field: &str, value: &str) -> Option<&'static str> {
    VALUE_NAMES
        .iter()
        .find(|(k, f, _)| *k == kind && *f == field)
        .and_then(|(_, _, values)| values.iter().find(|(v, _)| *v == value.trim()))
        .map(|(_, meaning)| *meaning)
}

/// How a defining property of a component is read.
#[derive(Debug, Clone, Copy)]
pub enum Probe {
    /// An attribute, or the text of a child element; coded values by [`VALUE_NAMES`].
    Field(&'static str),
    /// An attribute of the parent element (a form's type is its `forms/@type`).
    ParentAttr(&'static str),
    /// An attribute of the first element down a `/`-separated path of child names.
    PathAttr(&'static str, &'static str),
    /// The attribute (or, with an empty name, the display name) of every element at the end
    /// of a `/`-separated path, listed (a view's columns, a form's tabs).
    List(&'static str, &'static str),
}

/// What a reviewer needs to judge an added or removed component: `(kind, [(label, probe)])`.
#[rustfmt::skip]
pub static DEFINING: &[(&str, &[(&str, Probe)])] = &[
    ("attribute", &[("type", Probe::Field("Type")), ("format", Probe::Field("Format")), ("max length", Probe::Field("MaxLength")), ("precision", Probe::Field("Precision")), ("minimum", Probe::Field("MinValue")), ("maximum", Probe::Field("MaxValue")), ("required", Probe::Field("RequiredLevel")), ("choice", Probe::Field("OptionSetName")), ("choice", Probe::PathAttr("optionset", "Name"))]),
    ("step", &[("message", Probe::Field("SdkMessageName")), ("table", Probe::Field("PrimaryEntity")), ("stage", Probe::Field("Stage")), ("mode", Probe::Field("Mode")), ("rank", Probe::Field("Rank")), ("filtering columns", Probe::Field("FilteringAttributes")), ("runs", Probe::Field("PluginTypeName"))]),
    ("workflow", &[("table", Probe::Field("PrimaryEntity")), ("mode", Probe::Field("Mode")), ("state", Probe::Field("StateCode")), ("runs on create", Probe::Field("TriggerOnCreate")), ("runs on delete", Probe::Field("TriggerOnDelete")), ("runs on change of", Probe::Field("TriggerOnUpdateAttributeList")), ("on demand", Probe::Field("OnDemand"))]),
    ("form", &[("type", Probe::ParentAttr("type")), ("tabs", Probe::List("form/tabs/tab", "labels"))]),
    ("view", &[("columns", Probe::List("layoutxml/grid/row/cell", "name"))]),
    ("environmentvariable", &[("type", Probe::Field("type")), ("default value", Probe::Field("defaultvalue"))]),
    ("connectionreference", &[("connector", Probe::Field("connectorid"))]),
    ("webresource", &[("type", Probe::Field("WebResourceType"))]),
    ("relationship", &[("type", Probe::Field("EntityRelationshipType")), ("from", Probe::Field("ReferencedEntityName")), ("to", Probe::Field("ReferencingEntityName")), ("lookup", Probe::Field("ReferencingAttributeName")), ("first table", Probe::Field("FirstEntityName")), ("second table", Probe::Field("SecondEntityName"))]),
    ("optionset", &[("options", Probe::List("options/option", "labels"))]),
    ("pluginassembly", &[("isolation", Probe::Field("IsolationMode")), ("assembly", Probe::Field("FullName"))]),
    ("plugintype", &[("class", Probe::Field("Name"))]),
    ("app", &[("components", Probe::List("AppModuleComponents/AppModuleComponent", "schemaName"))]),
];

/// The defining properties of `kind`.
pub fn defining(kind: &str) -> &'static [(&'static str, Probe)] {
    DEFINING
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[], |(_, p)| p)
}

/// Looks a kind up by its machine name.
pub fn kind_named(name: &str) -> Option<&'static KindDef> {
    KINDS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_contexts_well_formed() {
        let mut names: Vec<_> = KINDS.iter().map(|k| k.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "duplicate kind names");
        for k in KINDS {
            for at in k.at {
                let body = at.trim_start_matches('/');
                assert!(
                    !body.is_empty() && !body.ends_with('/'),
                    "{}: bad context {at}",
                    k.name
                );
            }
        }
    }

    #[test]
    fn roles_fit_the_kinds_they_are_given_to() {
        for k in KINDS {
            match k.role {
                // Labels merge per language code and are never reordered meaningfully.
                Role::Localized => {
                    assert!(matches!(k.key, KeySpec::AnyOf(f) if f.contains(&"languagecode")));
                    assert_eq!(k.order, ListOrder::Set, "{}", k.name);
                }
                // The scoping table is the root of a SolutionPackager Entity.xml.
                Role::Scope => assert!(k.at.contains(&"/Entity"), "{}", k.name),
                Role::Leaf | Role::Container | Role::Part => {}
            }
        }
        assert_eq!(KINDS.iter().filter(|k| k.role == Role::Scope).count(), 1);
        assert!(kind_named("attribute").is_some_and(|k| k.role == Role::Leaf));
        assert!(kind_named("entity").is_some_and(|k| k.role == Role::Scope));
    }

    #[test]
    fn every_inventory_kind_has_a_title_and_display() {
        for k in KINDS.iter().filter(|k| k.role.is_component()) {
            assert!(!k.title.is_empty());
            // Maps and role associations are named by the two ends their key holds.
            if !matches!(k.key, KeySpec::Singleton)
                && k.name != "entitymap"
                && k.name != "connectionroleassociation"
                && !k.name.ends_with("imageconfig")
            {
                assert!(!k.display.is_empty(), "{} has no display probe", k.name);
            }
        }
    }
}
