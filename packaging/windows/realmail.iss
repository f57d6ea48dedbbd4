; RealMail for Windows: a per-user installer (no administrator rights) for the PyInstaller one-folder bundle.
; Built by packaging/build.py on Windows with Inno Setup 6:
;   iscc /DAppVersion=0.1.0 /DBundleDir=dist\pyinstaller\realmail /DOutputDir=dist /DIconFile=build\icons\realmail.ico packaging\windows\realmail.iss
; Installs into %LOCALAPPDATA%\Programs\RealMail, adds a Start-menu entry, registers RealMail as a mailto:
; handler for this user (it then appears in Settings → Default apps → E-mail), and adds an uninstaller
; (Settings → Apps). The profile (%LOCALAPPDATA%\RealMail) is kept on uninstall: it holds the person's mail.

#ifndef AppVersion
  #error Pass /DAppVersion=X.Y.Z (packaging/build.py does)
#endif
#ifndef BundleDir
  #error Pass /DBundleDir=path\to\dist\pyinstaller\realmail
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif

[Setup]
AppId={{6C0E4B7A-3F4D-4C1B-9A55-5D2E8E1B7A10}
AppName=RealMail
AppVersion={#AppVersion}
AppPublisher=RealMail developers
AppVerName=RealMail {#AppVersion}
DefaultDirName={localappdata}\Programs\RealMail
DefaultGroupName=RealMail
DisableProgramGroupPage=yes
; Per-user: no UAC prompt, everything under the user's own profile and HKCU.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#OutputDir}
OutputBaseFilename=RealMail-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\realmail.exe
UninstallDisplayName=RealMail
ChangesAssociations=yes
CloseApplications=yes
#ifdef IconFile
SetupIconFile={#IconFile}
#endif

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\RealMail"; Filename: "{app}\realmail.exe"; Comment: "Read, search, write and send mail"
Name: "{userdesktop}\RealMail"; Filename: "{app}\realmail.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Registry]
; The mailto: protocol handler class (HKCU\Software\Classes is the per-user part of HKCR).
Root: HKCU; Subkey: "Software\Classes\RealMail.mailto"; ValueType: string; ValueData: "URL:MailTo Protocol"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Classes\RealMail.mailto"; ValueType: string; ValueName: "URL Protocol"; ValueData: ""
Root: HKCU; Subkey: "Software\Classes\RealMail.mailto\DefaultIcon"; ValueType: string; ValueData: "{app}\realmail.exe,0"
Root: HKCU; Subkey: "Software\Classes\RealMail.mailto\shell\open\command"; ValueType: string; ValueData: """{app}\realmail.exe"" ""%1"""
; A registered mail client with its capabilities, so Windows offers RealMail under Default apps → E-mail.
Root: HKCU; Subkey: "Software\Clients\Mail\RealMail"; ValueType: string; ValueData: "RealMail"; Flags: uninsdeletekey
Root: HKCU; Subkey: "Software\Clients\Mail\RealMail\Capabilities"; ValueType: string; ValueName: "ApplicationName"; ValueData: "RealMail"
Root: HKCU; Subkey: "Software\Clients\Mail\RealMail\Capabilities"; ValueType: string; ValueName: "ApplicationDescription"; ValueData: "Read, search, write and send mail from all your accounts"
Root: HKCU; Subkey: "Software\Clients\Mail\RealMail\Capabilities\URLAssociations"; ValueType: string; ValueName: "mailto"; ValueData: "RealMail.mailto"
Root: HKCU; Subkey: "Software\Clients\Mail\RealMail\shell\open\command"; ValueType: string; ValueData: """{app}\realmail.exe"""
Root: HKCU; Subkey: "Software\RegisteredApplications"; ValueType: string; ValueName: "RealMail"; ValueData: "Software\Clients\Mail\RealMail\Capabilities"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\realmail.exe"; Description: "{cm:LaunchProgram,RealMail}"; Flags: nowait postinstall skipifsilent
